/// Keeps the kernel's table equal to the ruleset of a `ServiceProxyState`: the first sync (and the
/// first after a failure, or after the node's settings changed) replaces the whole table; later
/// ones rewrite only the services that changed. A value type driven by `sync`, so the decision is
/// testable with a recording writer.
///
/// A partial sync costs nearly the same at 100 services as at 10,000: given the changed services
/// (`sync(changes:node:with:)`), or finding them by comparing the input in place with the last
/// one (`sync(to:with:)`), only the fragments (`Ruleset.fragment(for:node:)`) of the services
/// that differ are computed and diffed, and the kernel is sent set and map elements (the first
/// port with a new endpoint count adds that count's slot maps and rewrites the `services`
/// chain; the last one to leave a count takes them away again). New node settings replace the
/// table.
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
        /// element, the cheapest way to find the few services that changed. Nil after a sync of
        /// changes, which has no order; the next whole input is then compared by service.
        var input: [ProxiedService]?
        /// Which service holds each cluster IP and NodePort; nil when the sync had a
        /// conflict or a service twice, which only the full comparison resolves.
        var owners: [PortKey: ServiceID]?
        /// How many ports are served through the slots of each endpoint count: the counts
        /// above zero are those whose slot maps and dispatch rules the table has.
        var slotPorts: [Int: Int]

        var slotClasses: Set<Int> { Set(slotPorts.keys) }

        /// Counts `service`'s slot ports in (`by` 1) or out (-1).
        mutating func countSlots(of service: ProxiedService, by delta: Int) {
            for count in Ruleset.slotPorts(of: service) {
                slotPorts[count, default: 0] += delta
                if slotPorts[count] == 0 { slotPorts[count] = nil }
            }
        }
    }

    /// Nil before the first successful sync and after a failed one (the kernel may hold
    /// anything then).
    private var applied: Applied?

    /// The ports left out of the last sync because another service holds them.
    public private(set) var conflicts: [PortConflict] = []

    public init() {}

    /// Whether a sync succeeded since this value was made or last failed.
    public var hasApplied: Bool { applied != nil }

    /// `clc-proxy` as the kernel holds it as far as this process knows; nil before the first
    /// successful sync and after a failed one. Assembled on each call: for tests and debugging.
    public var appliedRuleset: Ruleset? {
        guard let applied else { return nil }
        return Ruleset.services(applied.services.values, node: applied.node)
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
            let previousClasses = next.slotClasses
            var old: [ServiceID: ProxiedService] = [:]
            for index in changed {
                let new = state.services[index]
                let previous = next.services[new.id]!
                old[new.id] = previous
                for key in PortKey.keys(of: previous) where next.owners![key] == new.id { next.owners![key] = nil }
                for key in PortKey.keys(of: new) { next.owners![key] = new.id }
                next.services[new.id] = new
                next.countSlots(of: previous, by: -1)
                next.countSlots(of: new, by: 1)
            }
            next.input = state.services
            return try partialSync(changed: Array(old.keys), old: old, previousClasses: previousClasses, to: next, with: writer)
        }

        let (resolved, conflicts) = state.resolveConflicts()
        self.conflicts = conflicts
        let services = Dictionary(resolved.services.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        var owners: [PortKey: ServiceID]?
        if conflicts.isEmpty, services.count == state.services.count {
            owners = [:]
            for service in services.values { for key in PortKey.keys(of: service) { owners![key] = service.id } }
        }
        var next = Applied(node: state.node, services: services, input: state.services, owners: owners, slotPorts: [:])
        for service in services.values { next.countSlots(of: service, by: 1) }

        guard let current = applied, current.node == state.node else {
            return try fullSync(to: next, with: writer)
        }

        var changed: [ServiceID] = services.compactMap { id, service in current.services[id] == service ? nil : id }
        changed += current.services.keys.filter { services[$0] == nil }
        guard !changed.isEmpty else {
            applied = next
            return .unchanged
        }
        let old = Dictionary(uniqueKeysWithValues: changed.compactMap { id in current.services[id].map { (id, $0) } })
        return try partialSync(changed: changed, old: old, previousClasses: current.slotClasses, to: next, with: writer)
    }

    /// Whether `sync(changes:node:with:)` can apply `changes` by themselves: after a successful
    /// sync with the same node settings and no port conflict, when no changed service claims a
    /// port that a service other than the changed ones holds, or that another changed service
    /// claims too. Otherwise only the whole state will do.
    /// - Parameter changes: each changed service's new value (as `ServiceProxyState.served`
    ///   gives it), nil where it is gone.
    public func accepts(changes: [ServiceID: ProxiedService?], node: ProxyNodeSettings) -> Bool {
        guard let current = applied, current.node == node, let owners = current.owners else { return false }
        var claimed = Set<PortKey>()
        for (id, new) in changes {
            guard let new else { continue }
            guard new.id == id else { return false }
            for key in PortKey.keys(of: new) {
                guard claimed.insert(key).inserted else { return false }
                // Held by a service that keeps it: that one wins, which only the whole state resolves.
                if let owner = owners[key], owner != id, changes[owner] == nil { return false }
            }
        }
        return true
    }

    /// Brings the tables from the last sync's services to the same with `changes` applied, at
    /// the cost of the changed services alone (nothing else is compared or computed).
    /// - Parameter changes: see `accepts(changes:node:)`, which must hold.
    /// - Returns: partial, or unchanged when every change equals what the tables hold.
    /// - Throws: the writer's error; the next sync is then a full one. A change that
    ///   `accepts` refuses is refused here too (`NetfilterError.incrementalRefused`), applying
    ///   nothing.
    @discardableResult
    public mutating func sync(
        changes: [ServiceID: ProxiedService?], node: ProxyNodeSettings, with writer: some RulesetWriter
    ) throws(NetfilterError) -> Kind {
        guard accepts(changes: changes, node: node) else { throw .incrementalRefused(services: changes.count) }
        let effective = changes.filter { id, new in applied!.services[id] != new }
        guard !effective.isEmpty else { return .unchanged }
        conflicts = []
        var next = applied.take()!
        let previousClasses = next.slotClasses
        var old: [ServiceID: ProxiedService] = [:]
        // Release every changed service's claims first: two changed services may trade a port.
        for id in effective.keys {
            guard let previous = next.services[id] else { continue }
            old[id] = previous
            next.countSlots(of: previous, by: -1)
            for key in PortKey.keys(of: previous) where next.owners![key] == id { next.owners![key] = nil }
        }
        for (id, new) in effective {
            next.services[id] = new
            if let new {
                for key in PortKey.keys(of: new) { next.owners![key] = id }
                next.countSlots(of: new, by: 1)
            }
        }
        next.input = nil
        return try partialSync(changed: Array(effective.keys), old: old, previousClasses: previousClasses, to: next, with: writer)
    }

    /// The positions in `input` whose services differ from the last sync's, found by comparing
    /// the two inputs position by position; nil when only the full comparison can tell
    /// (services added, removed or reordered, or a changed service claiming a port that a
    /// service other than itself holds).
    private static func fastChanges(from current: Applied, to input: [ProxiedService]) -> [Int]? {
        guard let previous = current.input, input.count == previous.count, let owners = current.owners else { return nil }
        var changed: [Int] = []
        for index in input.indices where input[index] != previous[index] {
            let id = input[index].id
            guard id == previous[index].id, current.services[id] != nil else { return nil }
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

    /// Replaces the table, and deletes the shard tables an earlier version may have left.
    private mutating func fullSync(to next: Applied, with writer: some RulesetWriter) throws(NetfilterError) -> Kind {
        applied = nil
        let table = Ruleset.services(next.services.values, node: next.node)
        // Adding first makes deleting a table that is not there no error.
        let legacy = ProxyNames.legacyShardTables.map { Transaction(table: $0, operations: [.addTable, .deleteTable]) }
        try writer.apply([Transaction.fullSync(table)] + legacy)
        applied = next
        return .full
    }

    /// Sends the difference of the `changed` services' fragments in one transaction.
    /// - Parameter old: the changed services as the last sync had them (absent: added).
    /// - Parameter previousClasses: the slot classes the table has now.
    private mutating func partialSync(
        changed: [ServiceID], old: [ServiceID: ProxiedService], previousClasses: Set<Int>, to next: Applied,
        with writer: some RulesetWriter
    ) throws(NetfilterError) -> Kind {
        applied = nil
        // The changed services' fragments before and after, on tables without services: their
        // difference is the transaction, as no other service shares a chain, set element or map
        // key with them. New slot classes add their maps and rewrite the dispatch chain.
        var before = Ruleset.base(for: next.node, slotClasses: previousClasses)
        var after = Ruleset.base(for: next.node, slotClasses: next.slotClasses)
        for id in changed.sorted() {
            if let old = old[id] { before.merge(Ruleset.fragment(for: old, node: next.node)) }
            if let new = next.services[id] { after.merge(Ruleset.fragment(for: new, node: next.node)) }
        }
        guard before != after else {
            applied = next
            return .partial
        }
        // Same table, same base chains: an incremental transaction always exists; were it not
        // to, the table is replaced (`applied` is nil now).
        guard let transaction = Transaction.incremental(from: before, to: after) else {
            return try fullSync(to: next, with: writer)
        }
        try writer.apply([transaction])
        applied = next
        return .partial
    }
}
