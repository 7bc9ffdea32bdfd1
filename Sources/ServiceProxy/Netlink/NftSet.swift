import CNetfilter

/// One libnftnl set (`struct nftnl_set`): a set or map's definition (NEWSET, DELSET) or a list
/// of its elements (NEWSETELEM, DELSETELEM).
final class NftSet {
    let pointer: OpaquePointer

    /// nft's byte-order tags in set user data (`enum byteorder` in nft's datatype.h; host
    /// order, 1, was for the anonymous maps the proxy no longer makes).
    enum ByteOrder: UInt32 {
        case big = 2
    }

    /// A set reference: table, name and, for a set created in this transaction, its id.
    init(table: String, name: String, id: UInt32? = nil) throws(NetfilterError) {
        guard let pointer = nftnl_set_alloc() else { throw .allocation(object: "set \(name)") }
        self.pointer = pointer
        nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(NFPROTO_IPV4))
        nftnl_set_set_str(pointer, UInt16(NFTNL_SET_TABLE.rawValue), table)
        nftnl_set_set_str(pointer, UInt16(NFTNL_SET_NAME.rawValue), name)
        if let id { nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_ID.rawValue), id) }
    }

    /// A named set or map as nft creates it for `type a . b . c [: verdict]`: each field of a
    /// concatenated key takes 4 bytes, the key type packs nft's datatype numbers 6 bits each.
    convenience init(table: String, definition set: NamedSet, id: UInt32) throws(NetfilterError) {
        try self.init(table: table, name: set.name, id: id)
        var flags: UInt32 = 0
        if set.isVerdictMap { flags |= NFT_SET_MAP.rawValue }
        if set.timeoutSeconds != nil { flags |= NFT_SET_TIMEOUT.rawValue }
        if set.isDynamic { flags |= NFT_SET_EVAL.rawValue }
        let keyType = set.key.reduce(UInt32(0)) { $0 << 6 | $1.number }
        let keyLength = set.key.reduce(0) { $0 + ($1.length + 3) / 4 * 4 }
        setKey(flags: flags, type: keyType, length: UInt32(keyLength), verdictData: set.isVerdictMap)
        if let timeout = set.timeoutSeconds {
            nftnl_set_set_u64(pointer, UInt16(NFTNL_SET_TIMEOUT.rawValue), UInt64(timeout) * 1000)
        }
        if let size = set.size { nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DESC_SIZE.rawValue), size) }
        if set.key.count == 1, set.key[0] == .ipv4Address { try setKeyByteOrder(.big) }
    }

    deinit { nftnl_set_free(pointer) }

    func add(_ element: NftSetElement) { nftnl_set_elem_add(pointer, element.release()) }

    func buildPayload(_ message: UnsafeMutablePointer<nlmsghdr>) { nftnl_set_nlmsg_build_payload(message, pointer) }

    func buildElementsPayload(_ message: UnsafeMutablePointer<nlmsghdr>) {
        nftnl_set_elems_nlmsg_build_payload(message, pointer)
    }

    private func setKey(flags: UInt32, type: UInt32, length: UInt32, verdictData: Bool) {
        nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_FLAGS.rawValue), flags)
        nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_KEY_TYPE.rawValue), type)
        nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_KEY_LEN.rawValue), length)
        if verdictData {
            nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DATA_TYPE.rawValue), NFT_DATA_VERDICT.rawValue)
            nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DATA_LEN.rawValue), 0)
        }
    }

    private func setKeyByteOrder(_ order: ByteOrder) throws(NetfilterError) {
        let data = try NftUserData()
        data.put(NFTNL_UDATA_SET_KEYBYTEORDER.rawValue, u32: order.rawValue)
        _ = nftnl_set_set_data(pointer, UInt16(NFTNL_SET_USERDATA.rawValue), data.bytes, data.count)
    }
}
