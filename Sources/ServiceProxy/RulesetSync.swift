/// Keeps the kernel's table equal to the desired ruleset: the first sync (and the first after a
/// failure) replaces the whole table; later ones send only the difference from what was last
/// applied. A value type driven by `sync`, so the decision is testable with a recording writer.
public struct RulesetSync: Sendable {
    /// What a sync did, for logs and metrics (kube-proxy's full and partial syncs).
    public enum Kind: String, Sendable, Hashable {
        case full
        case partial
        case unchanged
    }

    /// The ruleset the kernel holds, as far as this process knows; nil before the first
    /// successful sync and after a failed one (the kernel may hold anything then).
    public private(set) var applied: Ruleset?

    public init() {}

    /// Brings the table to `desired`.
    /// - Parameters:
    ///   - desired: the ruleset to hold after the call.
    ///   - writer: applies the transaction.
    /// - Returns: whether the sync was full, partial or had nothing to do.
    /// - Throws: the writer's error; the next sync is then a full one.
    @discardableResult
    public mutating func sync(to desired: Ruleset, with writer: some RulesetWriter) throws(NetfilterError) -> Kind {
        if let applied, applied == desired { return .unchanged }
        let partial = applied.flatMap { Transaction.incremental(from: $0, to: desired) }
        let transaction = partial ?? Transaction.fullSync(desired)
        applied = nil
        try writer.apply(transaction)
        applied = desired
        return partial == nil ? .full : .partial
    }
}
