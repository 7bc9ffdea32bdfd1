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
        /// The input of that sync, in its order: the next input is compared with it element by
        /// element, the cheapest way to find the few services that changed.
        var input: [ProxiedService]
        /// Which service holds each cluster IP port and NodePort; nil when the sync had a
        /// conflict or a service twice, which only the full comparison resolves.
        var owners: [PortKey: ServiceID]?
    }

    /// A cluster IP port or a NodePort, without allocating.
    struct PortKey: Hashable, Sendable {
        var address: UInt32
        var proto: UInt8
        var port: UInt16

        static func keys(of service: ProxiedService) -> [PortKey] {
            service.ports.flatMap { port in
                [PortKey(address: service.clusterIP.value, proto: port.protocol.number, port: port.port)]
                    + (port.nodePort.map { [PortKey(address: 0, proto: port.protocol.number, port: $0)] } ?? [])
            }
        }
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
        let fast = applied.flatMap { current in
            current.node == state.node ? Self.fastChanges(from: current, to: state.services) : nil
        }
        if let changed = fast {
            guard !changed.isEmpty else { return .unchanged }
            conflicts = []
            // Taken out of `applied`, the dictionaries have one holder and are updated in place,
            // at the cost of the changed services only.
            var next = applied.take()!
            var old: [ServiceID: ProxiedService] = [:]
            for index in changed {
                let new = state.services[index]
                let previous = next.services[new.id]!
                old[new.id] = previous
                for key in PortKey.keys(of: previous) where next.owners![key] == new.id { next.owners![key] = nil }
                for key in PortKey.keys(of: new) { next.owners![key] = new.id }
                next.services[new.id] = new
            }
            next.input = state.services
            return try partialSync(changed: Array(old.keys), old: old, to: next, with: writer)
        }

        let (resolved, conflicts) = state.resolveConflicts()
        self.conflicts = conflicts
        let services = Dictionary(resolved.services.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        var owners: [PortKey: ServiceID]?
        if conflicts.isEmpty, services.count == state.services.count {
            owners = [:]
            for service in services.values { for key in PortKey.keys(of: service) { owners![key] = service.id } }
        }
        let next = Applied(node: state.node, services: services, input: state.services, owners: owners)

        guard let current = applied, current.node == state.node else {
            var ruleset = Ruleset.base(for: state.node)
            for id in services.keys.sorted() { ruleset.merge(Ruleset.fragment(for: services[id]!, node: state.node)) }
            applied = nil
            try writer.apply(.fullSync(ruleset))
            applied = next
            return .full
        }

        var changed: [ServiceID] = services.compactMap { id, service in current.services[id] == service ? nil : id }
        changed += current.services.keys.filter { services[$0] == nil }
        guard !changed.isEmpty else {
            applied = next
            return .unchanged
        }
        let old = Dictionary(uniqueKeysWithValues: changed.compactMap { id in current.services[id].map { (id, $0) } })
        return try partialSync(changed: changed, old: old, to: next, with: writer)
    }

    /// The positions in `input` whose services differ from the last sync's, found by comparing
    /// the two inputs position by position; nil when only the full comparison can tell
    /// (services added, removed or reordered, or a changed service claiming a port that a
    /// service other than itself holds).
    private static func fastChanges(from current: Applied, to input: [ProxiedService]) -> [Int]? {
        guard input.count == current.input.count, let owners = current.owners else { return nil }
        var changed: [Int] = []
        for index in input.indices where input[index] != current.input[index] {
            let id = input[index].id
            guard id == current.input[index].id, current.services[id] != nil else { return nil }
            for key in PortKey.keys(of: input[index]) {
                if let owner = owners[key], owner != id { return nil }
            }
            changed.append(index)
        }
        // Two changed services claiming one port between them: the full comparison decides.
        var claimed = Set<PortKey>()
        for index in changed {
            for key in PortKey.keys(of: input[index]) where !claimed.insert(key).inserted { return nil }
        }
        return changed
    }

    /// Sends the difference of the `changed` services' fragments from `current` to `next`.
    /// - Parameter old: the changed services as the last sync had them (absent: added).
    private mutating func partialSync(
        changed: [ServiceID], old: [ServiceID: ProxiedService], to next: Applied, with writer: some RulesetWriter
    ) throws(NetfilterError) -> Kind {
        applied = nil
        // The changed services' fragments before and after, on one base: their difference is
        // the transaction, as no other service shares a chain, set or map key with them.
        let base = Ruleset.base(for: next.node)
        var before = base
        var after = base
        for id in changed.sorted() {
            if let old = old[id] { before.merge(Ruleset.fragment(for: old, node: next.node)) }
            if let new = next.services[id] { after.merge(Ruleset.fragment(for: new, node: next.node)) }
        }
        // Same table, same base chains: an incremental transaction always exists; were it not
        // to, the table is replaced whole (`applied` is nil now).
        guard let transaction = Transaction.incremental(from: before, to: after) else {
            var ruleset = base
            for id in next.services.keys.sorted() { ruleset.merge(Ruleset.fragment(for: next.services[id]!, node: next.node)) }
            try writer.apply(.fullSync(ruleset))
            applied = next
            return .full
        }
        try writer.apply(transaction)
        applied = next
        return .partial
    }
}
