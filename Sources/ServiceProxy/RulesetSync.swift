/// Keeps the kernel's table equal to the ruleset of a `ServiceProxyState`: the first sync (and the
/// first after a failure, or after the node's settings changed) replaces the whole table; later
/// ones rewrite only the services that changed. A value type driven by `sync`, so the decision is
/// testable with a recording writer.
///
/// A partial sync costs the same at 100 services as at 10,000: the services are compared as
/// values, and only the fragments (`Ruleset.fragment(for:node:)`) of those that differ are
/// computed and diffed; the rest of the table is never rebuilt.
public struct RulesetSync: Sendable {
    /// What a sync did, for logs and metrics (kube-proxy's full and partial syncs).
    public enum Kind: String, Sendable, Hashable {
        case full
        case partial
        case unchanged
    }

    /// What the kernel holds, as far as this process knows: the services it was computed from.
    /// Their fragments are not kept: a fragment is a pure function of its service, recomputed for
    /// the few services a partial sync replaces, and keeping 10,000 of them cost about 30 MB.
    private struct Applied: Sendable {
        var node: ProxyNodeSettings
        var services: [ServiceID: ProxiedService]
    }

    /// Nil before the first successful sync and after a failed one (the kernel may hold
    /// anything then).
    private var applied: Applied?

    /// The ports left out of the last sync because another service holds them.
    public private(set) var conflicts: [PortConflict] = []

    public init() {}

    /// The whole ruleset the kernel holds as far as this process knows; nil before the first
    /// successful sync and after a failed one. Assembled on each call: for tests and debugging.
    public var appliedRuleset: Ruleset? {
        guard let applied else { return nil }
        var ruleset = Ruleset.base(for: applied.node)
        for id in applied.services.keys.sorted() {
            ruleset.merge(Ruleset.fragment(for: applied.services[id]!, node: applied.node))
        }
        return ruleset
    }

    /// Brings the table to the ruleset of `state`.
    /// - Parameters:
    ///   - state: the services and node settings to serve after the call.
    ///   - writer: applies the transaction.
    /// - Returns: whether the sync was full, partial or had nothing to do.
    /// - Throws: the writer's error; the next sync is then a full one.
    @discardableResult
    public mutating func sync(to state: ServiceProxyState, with writer: some RulesetWriter) throws(NetfilterError) -> Kind {
        let (resolved, conflicts) = state.resolveConflicts()
        self.conflicts = conflicts
        let services = Dictionary(resolved.services.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })

        guard let current = applied, current.node == state.node else {
            var ruleset = Ruleset.base(for: state.node)
            for id in services.keys.sorted() { ruleset.merge(Ruleset.fragment(for: services[id]!, node: state.node)) }
            applied = nil
            try writer.apply(.fullSync(ruleset))
            applied = Applied(node: state.node, services: services)
            return .full
        }

        var changed: [ServiceID] = services.compactMap { id, service in current.services[id] == service ? nil : id }
        changed += current.services.keys.filter { services[$0] == nil }
        guard !changed.isEmpty else { return .unchanged }
        applied = nil

        // The changed services' fragments before and after, on one base: their difference is
        // the transaction, as no other service shares a chain, set or map key with them.
        let base = Ruleset.base(for: state.node)
        var before = base
        var after = base
        for id in changed.sorted() {
            if let old = current.services[id] { before.merge(Ruleset.fragment(for: old, node: current.node)) }
            if let new = services[id] { after.merge(Ruleset.fragment(for: new, node: state.node)) }
        }
        // Same table, same base chains: an incremental transaction always exists; were it not
        // to, the table is replaced whole (`applied` is nil now).
        guard let transaction = Transaction.incremental(from: before, to: after) else { return try sync(to: state, with: writer) }
        try writer.apply(transaction)
        applied = Applied(node: state.node, services: services)
        return .partial
    }
}
