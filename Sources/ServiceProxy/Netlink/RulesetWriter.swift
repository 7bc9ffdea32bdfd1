/// Applies transactions to the kernel's nftables. The real one is `NetlinkRulesetWriter`;
/// tests of the code that decides what to apply use a recording fake.
public protocol RulesetWriter: Sendable {
    /// Applies `transactions`, one per table, atomically: all of them, or (on error) none.
    /// - Throws: `NetfilterError`, naming the operation the kernel refused.
    func apply(_ transactions: [Transaction]) throws(NetfilterError)
}

extension RulesetWriter {
    /// Applies one transaction atomically.
    public func apply(_ transaction: Transaction) throws(NetfilterError) { try apply([transaction]) }
}
