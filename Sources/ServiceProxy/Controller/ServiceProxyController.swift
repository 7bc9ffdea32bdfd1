import AgentTime
import CNetfilter
import Dispatch
import Foundation
import IPv4
import KubeAPI
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The agent's kube-proxy: takes Services, Endpoints (or this node's pods where no master writes
/// Endpoints) as they change, and keeps the kernel's table in step through `RulesetSync`.
///
/// - Nothing is programmed until the inputs are complete (services, and endpoints when they
///   come from the master, or the first report of this node's pods when they do not): the first sync replaces the whole table, and a restarted agent must
///   not empty it while its watches are still listing. Until then the rules of the previous run
///   stay in place and keep serving.
/// - Changes arriving during a sync are folded into the next one; a burst of changes costs one
///   sync, not one each.
/// - A failed sync is retried with back-off, and the next one is full. Every
///   `fullSyncInterval` the table is replaced whole, which repairs what anyone else changed in it.
/// - After a sync, conntrack entries of UDP flows that the new rules no longer serve are deleted
///   (`StaleConntrack`).
/// - The writer blocks while the kernel processes a batch (about 0.5 s for a full sync of 10,000 services), so
///   syncs run on a thread of their own, never on the cooperative pool.
public actor ServiceProxyController: ServiceLifecycle.Service {
    public struct Configuration: Sendable {
        public var node: ProxyNodeSettings
        /// True when Endpoints come from the master (`update(endpoints:)`); false to compute them
        /// from this node's pods (`update(localPods:)`), for the manifest directory.
        public var endpointsFromMaster: Bool
        /// Replace the whole table this often (kube-proxy: one hour).
        public var fullSyncInterval: Duration
        /// First retry after a failed sync; doubles up to `retryMaximum`.
        public var retryInitial: Duration
        public var retryMaximum: Duration

        public init(
            node: ProxyNodeSettings, endpointsFromMaster: Bool, fullSyncInterval: Duration = .seconds(3600),
            retryInitial: Duration = .seconds(1), retryMaximum: Duration = .seconds(30)
        ) {
            self.node = node
            self.endpointsFromMaster = endpointsFromMaster
            self.fullSyncInterval = fullSyncInterval
            self.retryInitial = retryInitial
            self.retryMaximum = retryMaximum
        }
    }

    /// What one sync did, for metrics and tests.
    public struct SyncReport: Sendable {
        public var kind: RulesetSync.Kind
        public var duration: Duration
        public var services: Int
        /// When the inputs that this sync serves first differed from what the table held: the
        /// start of kube-proxy's network programming latency.
        public var changedAt: Date
        public var finishedAt: Date
        /// The error, when the sync failed (`kind` is then the kind it attempted).
        public var error: NetfilterError?
        /// Conntrack entries deleted after the sync.
        public var conntrackDeleted: Int
    }

    private var configuration: Configuration
    private let writer: any RulesetWriter
    private let conntrack: (any ConntrackTable)?
    private let onSync: @Sendable (SyncReport) -> Void
    private let logger: Logger
    private let queue = DispatchQueue(label: "clc-node.service-proxy.sync")

    /// The inputs by object and the services they give (`ProxyInputs`).
    private var inputs: ProxyInputs
    private var rulesetSync = RulesetSync()
    /// The services the table holds, for the conntrack clean-up after a full sync; nil until
    /// the first sync.
    private var applied: [ServiceID: ProxiedService]?
    private var lastFullSync: ContinuousClock.Instant?
    /// When the inputs first changed after the last sync; nil when nothing is pending.
    private var pendingSince: Date?
    /// When the loop last began a sync, and whether that sync still runs (``owedSyncFor(now:)``).
    private var lastAttempt: ContinuousClock.Instant?
    private var syncInFlight = false
    private let signal: AsyncStream<Void>.Continuation
    private let signals: AsyncStream<Void>

    /// - Parameters:
    ///   - writer: the netlink writer (or a fake).
    ///   - conntrack: where stale UDP entries are deleted; nil to leave conntrack alone.
    ///   - onSync: called after every sync attempt, on the controller's executor.
    public init(
        configuration: Configuration, writer: any RulesetWriter, conntrack: (any ConntrackTable)?, logger: Logger,
        onSync: @escaping @Sendable (SyncReport) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.writer = writer
        self.conntrack = conntrack
        self.logger = logger
        self.onSync = onSync
        inputs = ProxyInputs(source: configuration.endpointsFromMaster ? .master : .localPods, node: configuration.node)
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Inputs
    //
    // Each takes the whole set and, where the caller knows it (a reflector's watch), what
    // changed since its last call: then only the services named are computed again.

    public func update(services: [KubeAPI.Service], delta: ObjectDelta<KubeAPI.Service>? = nil) {
        for problem in inputs.update(services: services, delta: delta) { logger.warning("\(problem)") }
        changed()
    }

    public func update(endpoints: [Endpoints], delta: ObjectDelta<Endpoints>? = nil) {
        inputs.update(endpoints: endpoints, delta: delta)
        changed()
    }

    /// The cluster's EndpointSlices, where the master serves them; once given, they are the
    /// source of endpoints (`update(endpoints:)` is then ignored).
    public func update(endpointSlices: [EndpointSlice], delta: ObjectDelta<EndpointSlice>? = nil) {
        inputs.update(endpointSlices: endpointSlices, delta: delta)
        changed()
    }

    /// This node's pods with their status; used only when Endpoints do not come from the master.
    /// The first call, even with no pods, completes the inputs of a node without a master.
    public func update(localPods: [Pod]) {
        guard inputs.update(localPods: localPods) else { return }
        if !configuration.endpointsFromMaster { changed() }
    }

    /// The pod network changed (flannel's network became known): connections from outside it
    /// are the ones masqueraded. The whole table is written again.
    public func update(clusterCIDR: IPv4CIDR?) {
        guard clusterCIDR != configuration.node.clusterCIDR else { return }
        configuration.node.clusterCIDR = clusterCIDR
        inputs.node = configuration.node
        rulesetSync = RulesetSync()
        changed()
    }

    /// Wakes the loop when an input change touched a service (or a sync is owed anyway).
    private func changed() {
        guard inputs.hasChanges || !rulesetSync.hasApplied else { return }
        if pendingSince == nil { pendingSince = Date() }
        signal.yield()
    }

    /// The loop's liveness, for the agent's watchdog: how long it has owed a sync without
    /// starting one (since the change, or since its last failed attempt), or how long the sync
    /// in flight has run; nil when nothing is owed. Inputs still incomplete (the master's
    /// services or endpoints not listed yet) owe nothing: waiting for the master is no stuck loop.
    public func owedSyncFor(now: ContinuousClock.Instant = .now) -> Duration? {
        if syncInFlight, let lastAttempt { return now - lastAttempt }
        guard let pendingSince, inputs.isComplete else { return nil }
        let sinceChange = Duration.milliseconds(Int64(max(0, Date().timeIntervalSince(pendingSince)) * 1000))
        guard let lastAttempt else { return sinceChange }
        return min(sinceChange, now - lastAttempt)
    }

    // MARK: Service

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    private func loop() async {
        var retry = RetryBackOff(initial: configuration.retryInitial, maximum: configuration.retryMaximum)
        var iterator = signals.makeAsyncIterator()
        while !Task.isCancelled {
            let failed = await syncIfReady()
            if failed {
                try? await Task.sleep(for: retry.next())
                continue
            }
            retry.reset()
            // Wake on a change, or for the periodic full sync.
            let untilFull = lastFullSync.map { configuration.fullSyncInterval - (.now - $0) } ?? configuration.fullSyncInterval
            let timer = Task { [signal] in
                // Cancelled when a change came first: then it must not wake the loop again.
                guard (try? await Task.sleep(for: max(untilFull, .milliseconds(1)))) != nil else { return }
                signal.yield()
            }
            guard await iterator.next() != nil else {
                timer.cancel()
                return
            }
            timer.cancel()
        }
    }

    /// What one sync sends: the changed services alone, or every service.
    private enum Work: Sendable {
        case changes([ServiceID: ProxiedService?], filters: [ConntrackFilter])
        case everything(ServiceProxyState, previous: ServiceProxyState?)
    }

    /// Syncs when the inputs are complete and something changed (or a full sync is due): the
    /// changed services alone when the tables allow it (`RulesetSync.accepts`), else all.
    /// - Returns: true when the sync failed.
    private func syncIfReady() async -> Bool {
        guard inputs.isComplete else { return false }
        lastAttempt = .now
        syncInFlight = true
        defer { syncInFlight = false }
        if let lastFullSync, ContinuousClock.now - lastFullSync >= configuration.fullSyncInterval {
            rulesetSync = RulesetSync()
        }
        let changedAt = pendingSince ?? Date()
        pendingSince = nil
        let changes = inputs.takeChanges()
        let node = configuration.node
        let proposed = changes.mapValues(\.new)
        let work: Work
        if rulesetSync.hasApplied, rulesetSync.accepts(changes: proposed, node: node) {
            guard !changes.isEmpty else { return false }
            // Only the changed services can make conntrack entries stale.
            let filters = conntrack == nil ? [] : StaleConntrack.filters(
                from: ServiceProxyState(services: changes.values.compactMap(\.old), node: node),
                to: ServiceProxyState(services: changes.values.compactMap(\.new), node: node))
            work = .changes(proposed, filters: filters)
        } else {
            work = .everything(inputs.state, previous: applied.map { ServiceProxyState(services: Array($0.values), node: node) })
        }
        let services = inputs.proxied.count
        let start = ContinuousClock.now
        // Moved, not copied, to the queue: with one holder, a partial sync updates the applied
        // services in place instead of copying 10,000 of them.
        let handoff = Handoff(rulesetSync)
        rulesetSync = RulesetSync()
        let (writer, conntrack, logger) = (self.writer, self.conntrack, self.logger)
        let outcome: Result<(RulesetSync.Kind, RulesetSync, Int), NetfilterError> = await withCheckedContinuation {
            continuation in
            queue.async {
                var working = handoff.take()
                do throws(NetfilterError) {
                    let kind: RulesetSync.Kind
                    let filters: [ConntrackFilter]
                    switch work {
                    case let .changes(changes, changeFilters):
                        kind = try working.sync(changes: changes, node: node, with: writer)
                        filters = changeFilters
                    case let .everything(state, previous):
                        kind = try working.sync(to: state, with: writer)
                        filters = previous.map { StaleConntrack.filters(from: $0, to: state) } ?? []
                    }
                    let deleted = kind == .unchanged ? 0 : Self.deleteStaleConntrack(filters, in: conntrack, logger: logger)
                    continuation.resume(returning: .success((kind, working, deleted)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        let duration = ContinuousClock.now - start
        switch outcome {
        case .success(let (kind, synced, deleted)):
            rulesetSync = synced
            switch work {
            case .changes(let changes, _):
                for (id, new) in changes { applied?[id] = new }
            case .everything(let state, _):
                applied = Dictionary(state.services.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            }
            if kind == .full {
                lastFullSync = .now
                // A full sync builds the whole table in memory (about 60 MB at 10,000 services)
                // and frees it; glibc keeps freed heap unless asked to give it back.
                #if canImport(Glibc)
                malloc_trim(0)
                #endif
            }
            for conflict in synced.conflicts {
                logger.warning("\(conflict)", metadata: ["service.name": "\(conflict.service)"])
            }
            if kind != .unchanged {
                // Full syncs are rare (start, failure, hourly) and worth an operator's eye.
                logger.log(
                    level: kind == .full ? .info : .debug,
                    "service proxy synced",
                    metadata: [
                        "sync.kind": "\(kind.rawValue)", "sync.duration": "\(duration)", "services": "\(services)",
                        "sync.changed": "\(changes.count)", "conntrack.deleted": "\(deleted)",
                    ])
            }
            onSync(
                SyncReport(
                    kind: kind, duration: duration, services: services, changedAt: changedAt, finishedAt: Date(),
                    error: nil, conntrackDeleted: deleted))
            return false
        case .failure(let error):
            // `working` is lost with the failure: the next sync starts from nothing, i.e. full.
            rulesetSync = RulesetSync()
            pendingSince = changedAt
            logger.error(
                "service proxy sync failed, retrying with a full sync: \(error)",
                metadata: ["services": "\(services)"])
            onSync(
                SyncReport(
                    kind: .full, duration: duration, services: services, changedAt: changedAt, finishedAt: Date(),
                    error: error, conntrackDeleted: 0))
            return true
        }
    }

    private static func deleteStaleConntrack(
        _ filters: [ConntrackFilter], in conntrack: (any ConntrackTable)?, logger: Logger
    ) -> Int {
        guard let conntrack, !filters.isEmpty else { return 0 }
        do {
            return try conntrack.delete(matching: filters)
        } catch {
            logger.warning("could not delete stale UDP conntrack entries: \(error)", metadata: ["conntrack.filters": "\(filters)"])
            return 0
        }
    }
}

/// Carries a value to another thread and gives it up there, so that it has one holder again.
private final class Handoff<Value>: @unchecked Sendable {
    // Set on the actor, taken once on the sync queue after it: never touched at the same time.
    private var value: Value?

    init(_ value: Value) { self.value = value }

    func take() -> Value { value.take()! }
}
