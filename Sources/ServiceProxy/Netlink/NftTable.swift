import CNetfilter

/// One libnftnl table (`struct nftnl_table`) of family `ip`.
final class NftTable {
    let pointer: OpaquePointer

    init(name: String) throws(NetfilterError) {
        guard let pointer = nftnl_table_alloc() else { throw .allocation(object: "table \(name)") }
        self.pointer = pointer
        nftnl_table_set_u32(pointer, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(NFPROTO_IPV4))
        nftnl_table_set_str(pointer, UInt16(NFTNL_TABLE_NAME.rawValue), name)
    }

    deinit { nftnl_table_free(pointer) }

    func buildPayload(_ message: UnsafeMutablePointer<nlmsghdr>) { nftnl_table_nlmsg_build_payload(message, pointer) }
}
