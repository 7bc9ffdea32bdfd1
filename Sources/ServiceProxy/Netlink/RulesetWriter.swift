/// Applies transactions to the kernel's nftables. The real one is `NetlinkRulesetWriter`;
/// tests of the code that decides what to apply use a recording fake.
public protocol RulesetWriter: Sendable {
    /// Applies `transaction` atomically: all of it, or (on error) none of it.
    /// - Throws: `NetfilterError`, naming the operation the kernel refused.
    func apply(_ transaction: Transaction) throws(NetfilterError)
}
