import CNetfilter

/// One libnftnl chain (`struct nftnl_chain`): a name, and for a base chain its hook.
final class NftChain {
    let pointer: OpaquePointer

    init(table: String, name: String, base: BaseChain? = nil) throws(NetfilterError) {
        guard let pointer = nftnl_chain_alloc() else { throw .allocation(object: "chain \(name)") }
        self.pointer = pointer
        nftnl_chain_set_u32(pointer, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(NFPROTO_IPV4))
        nftnl_chain_set_str(pointer, UInt16(NFTNL_CHAIN_TABLE.rawValue), table)
        nftnl_chain_set_str(pointer, UInt16(NFTNL_CHAIN_NAME.rawValue), name)
        if let base {
            nftnl_chain_set_str(pointer, UInt16(NFTNL_CHAIN_TYPE.rawValue), base.type.rawValue)
            nftnl_chain_set_u32(pointer, UInt16(NFTNL_CHAIN_HOOKNUM.rawValue), base.hook.number)
            nftnl_chain_set_s32(pointer, UInt16(NFTNL_CHAIN_PRIO.rawValue), base.priority)
        }
    }

    deinit { nftnl_chain_free(pointer) }

    func buildPayload(_ message: UnsafeMutablePointer<nlmsghdr>) { nftnl_chain_nlmsg_build_payload(message, pointer) }
}
