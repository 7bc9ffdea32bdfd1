import CNetfilter

/// One libnftnl expression (`struct nftnl_expr`). A rule takes ownership when it is appended;
/// until then this object frees it.
final class NftExpression {
    private(set) var pointer: OpaquePointer?
    let name: String

    init(_ name: String) throws(NetfilterError) {
        guard let pointer = nftnl_expr_alloc(name) else { throw .allocation(object: "expression \(name)") }
        self.pointer = pointer
        self.name = name
    }

    deinit { if let pointer { nftnl_expr_free(pointer) } }

    /// Hands the pointer to a new owner (a rule); this object no longer frees it.
    func release() -> OpaquePointer {
        let owned = pointer!
        pointer = nil
        return owned
    }

    func set(_ attribute: Int, u32 value: UInt32) { nftnl_expr_set_u32(pointer, UInt16(attribute), value) }

    func set(_ attribute: Int, u8 value: UInt8) { nftnl_expr_set_u8(pointer, UInt16(attribute), value) }

    func set(_ attribute: Int, string value: String) { nftnl_expr_set_str(pointer, UInt16(attribute), value) }

    func set(_ attribute: Int, bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = nftnl_expr_set(pointer, UInt16(attribute), raw.baseAddress, UInt32(raw.count))
        }
    }
}
