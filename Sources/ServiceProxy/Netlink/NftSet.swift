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

    /// A named set or map as nft creates it for `type a . b . c [: verdict]` (or `typeof ...`):
    /// each field of a concatenated key or value takes 4 bytes, its type packs nft's datatype
    /// numbers 6 bits each.
    convenience init(table: String, definition set: NamedSet, id: UInt32) throws(NetfilterError) {
        try self.init(table: table, name: set.name, id: id)
        var flags: UInt32 = 0
        if set.isMap { flags |= NFT_SET_MAP.rawValue }
        if set.timeoutSeconds != nil { flags |= NFT_SET_TIMEOUT.rawValue }
        if set.isDynamic { flags |= NFT_SET_EVAL.rawValue }
        let key = NamedSet.DataType.packed(set.key)
        nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_FLAGS.rawValue), flags)
        nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_KEY_TYPE.rawValue), key.type)
        nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_KEY_LEN.rawValue), key.length)
        switch set.mapping {
        case .verdict:
            nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DATA_TYPE.rawValue), NFT_DATA_VERDICT.rawValue)
            nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DATA_LEN.rawValue), 0)
        case .data(let types):
            let data = NamedSet.DataType.packed(types)
            nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DATA_TYPE.rawValue), data.type)
            nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DATA_LEN.rawValue), data.length)
        case nil:
            break
        }
        if let timeout = set.timeoutSeconds {
            nftnl_set_set_u64(pointer, UInt16(NFTNL_SET_TIMEOUT.rawValue), UInt64(timeout) * 1000)
        }
        if let size = set.size { nftnl_set_set_u32(pointer, UInt16(NFTNL_SET_DESC_SIZE.rawValue), size) }
        if let typeof = set.typeof {
            try setTypeof(typeof)
        } else if set.key.count == 1, set.key[0] == .ipv4Address {
            try setKeyByteOrder(.big)
        }
    }

    deinit { nftnl_set_free(pointer) }

    func add(_ element: NftSetElement) { nftnl_set_elem_add(pointer, element.release()) }

    func buildPayload(_ message: UnsafeMutablePointer<nlmsghdr>) { nftnl_set_nlmsg_build_payload(message, pointer) }

    func buildElementsPayload(_ message: UnsafeMutablePointer<nlmsghdr>) {
        nftnl_set_elems_nlmsg_build_payload(message, pointer)
    }

    /// The user data nft writes for a `typeof` declaration (nft 1.0.6, `set_make_key` and the
    /// expressions' `build_udata`): no byte order for a concatenation, then the key's (and a
    /// data map's value's) expressions, each as its expression type and its own attributes.
    private func setTypeof(_ typeof: NamedSet.Typeof) throws(NetfilterError) {
        let data = try NftUserData()
        data.put(NFTNL_UDATA_SET_KEYBYTEORDER.rawValue, u32: 0)
        if typeof.data != nil { data.put(NFTNL_UDATA_SET_DATABYTEORDER.rawValue, u32: 0) }
        Self.putConcatenation(typeof.key, as: NFTNL_UDATA_SET_KEY_TYPEOF.rawValue, into: data)
        if let value = typeof.data {
            Self.putConcatenation(value, as: NFTNL_UDATA_SET_DATA_TYPEOF.rawValue, into: data)
            data.put(NFTNL_UDATA_SET_DATA_INTERVAL.rawValue, u32: 0)
        }
        _ = nftnl_set_set_data(pointer, UInt16(NFTNL_SET_USERDATA.rawValue), data.bytes, data.count)
    }

    /// nft's expression types and attribute values (src/expression.h, src/proto.h, the kernel's
    /// nft_meta_keys and nft_ct_keys).
    private enum TypeofCode {
        static let concatenation: UInt32 = 13
        static let payload: UInt32 = 7
        static let meta: UInt32 = 9
        static let ct: UInt32 = 12
        static let numgen: UInt32 = 23
        static let ipHeader: UInt32 = 12
        static let transportHeader: UInt32 = 11
    }

    private static func putConcatenation(_ fields: [Statement.KeyField], as type: UInt32, into data: NftUserData) {
        data.nest(type) {
            data.put(0, u32: TypeofCode.concatenation)
            data.nest(1) {
                for (index, field) in fields.enumerated() {
                    data.nest(UInt32(index)) { putExpression(field, into: data) }
                }
            }
        }
    }

    /// One expression: attribute 0 its type, attribute 1 its own attributes.
    private static func putExpression(_ field: Statement.KeyField, into data: NftUserData) {
        let (type, attributes): (UInt32, [UInt32]) =
            switch field {
            // payload: header description, field (IPHDR_SADDR 11, IPHDR_DADDR 12, THDR_DPORT 2)
            case .ipSaddr: (TypeofCode.payload, [TypeofCode.ipHeader, 11])
            case .ipDaddr: (TypeofCode.payload, [TypeofCode.ipHeader, 12])
            case .thDport: (TypeofCode.payload, [TypeofCode.transportHeader, 2])
            // meta: key (NFT_META_L4PROTO)
            case .l4proto: (TypeofCode.meta, [UInt32(NFT_META_L4PROTO.rawValue)])
            // ct: key (NFT_CT_DST_IP), direction (original)
            case .ctOriginalIpDaddr: (TypeofCode.ct, [UInt32(NFT_CT_DST_IP.rawValue), 0])
            // numgen: type, modulus, offset
            case .numgenRandom(let modulus): (TypeofCode.numgen, [UInt32(NFT_NG_RANDOM.rawValue), modulus, 0])
            }
        data.put(0, u32: type)
        data.nest(1) {
            for (index, value) in attributes.enumerated() { data.put(UInt32(index), u32: value) }
        }
    }

    private func setKeyByteOrder(_ order: ByteOrder) throws(NetfilterError) {
        let data = try NftUserData()
        data.put(NFTNL_UDATA_SET_KEYBYTEORDER.rawValue, u32: order.rawValue)
        _ = nftnl_set_set_data(pointer, UInt16(NFTNL_SET_USERDATA.rawValue), data.bytes, data.count)
    }
}
