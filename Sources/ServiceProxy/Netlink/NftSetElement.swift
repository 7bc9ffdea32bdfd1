import CNetfilter

/// One libnftnl set element (`struct nftnl_set_elem`): a key and, in a map, a verdict or a value.
/// A set takes ownership when the element is added; until then this object frees it.
final class NftSetElement {
    private(set) var pointer: OpaquePointer?

    init(key: [UInt8], value: ElementValue?) throws(NetfilterError) {
        guard let pointer = nftnl_set_elem_alloc() else { throw .allocation(object: "set element") }
        self.pointer = pointer
        key.withUnsafeBytes { raw in
            _ = nftnl_set_elem_set(pointer, UInt16(NFTNL_SET_ELEM_KEY), raw.baseAddress, UInt32(raw.count))
        }
        switch value {
        case .verdict(let verdict):
            nftnl_set_elem_set_u32(pointer, UInt16(NFTNL_SET_ELEM_VERDICT), UInt32(bitPattern: verdict.code))
            if let chain = verdict.chain { nftnl_set_elem_set_str(pointer, UInt16(NFTNL_SET_ELEM_CHAIN), chain) }
        case .data(let data):
            let bytes = data.values.flatMap(\.registerBytes)
            bytes.withUnsafeBytes { raw in
                _ = nftnl_set_elem_set(pointer, UInt16(NFTNL_SET_ELEM_DATA), raw.baseAddress, UInt32(raw.count))
            }
        case nil:
            break
        }
    }

    deinit { if let pointer { nftnl_set_elem_free(pointer) } }

    /// Hands the pointer to a set; this object no longer frees it.
    func release() -> OpaquePointer {
        let owned = pointer!
        pointer = nil
        return owned
    }
}

extension Verdict {
    /// The kernel's verdict code (NF_ACCEPT, NF_DROP, NFT_RETURN, NFT_JUMP, NFT_GOTO).
    var code: Int32 {
        switch self {
        case .accept: Int32(NF_ACCEPT)
        case .drop: Int32(NF_DROP)
        case .return: NFT_RETURN.rawValue
        case .jump: NFT_JUMP.rawValue
        case .goto: NFT_GOTO.rawValue
        }
    }
}
