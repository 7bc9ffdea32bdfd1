import CNetfilter

/// One libnftnl rule (`struct nftnl_rule`), owning its expressions.
final class NftRule {
    let pointer: OpaquePointer

    init(table: String, chain: String) throws(NetfilterError) {
        guard let pointer = nftnl_rule_alloc() else { throw .allocation(object: "rule in chain \(chain)") }
        self.pointer = pointer
        nftnl_rule_set_u32(pointer, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(NFPROTO_IPV4))
        nftnl_rule_set_str(pointer, UInt16(NFTNL_RULE_TABLE.rawValue), table)
        nftnl_rule_set_str(pointer, UInt16(NFTNL_RULE_CHAIN.rawValue), chain)
    }

    deinit { nftnl_rule_free(pointer) }

    func append(_ expression: NftExpression) { nftnl_rule_add_expr(pointer, expression.release()) }

    func buildPayload(_ message: UnsafeMutablePointer<nlmsghdr>) { nftnl_rule_nlmsg_build_payload(message, pointer) }
}
