import KubeAPI

/// The node's pod configuration (kubelet's `config` package): what each source — the manifest
/// directory (`file`) and the master (`api`) — last delivered, merged into the one desired set
/// the ``PodManager`` works from. Each source is applied as soon as it has delivered, so static
/// pods run while the master is away; the manager keeps the containers of a source that has
/// not delivered yet from being taken for orphans.
///
/// The merge itself is ``PodConfigState``, pure; this actor applies its result one at a time
/// and reports the milestones.
public actor PodConfig {
    /// Called as the configuration reaches a milestone.
    public struct Milestones: Sendable {
        /// Every local source was applied (at once when there is none): the node serves.
        public var localSourcesApplied: @Sendable () async -> Void
        /// Every source was applied.
        public var allSourcesApplied: @Sendable () async -> Void

        public init(
            localSourcesApplied: @escaping @Sendable () async -> Void = {}, allSourcesApplied: @escaping @Sendable () async -> Void = {}
        ) {
            self.localSourcesApplied = localSourcesApplied
            self.allSourcesApplied = allSourcesApplied
        }
    }

    private var state: PodConfigState
    private let apply: @Sendable (PodConfigState.Desired) async -> Void
    private let milestones: Milestones
    private var localReported = false
    private var allReported = false
    private var applying = false
    private var dirty = false

    /// - Parameters:
    ///   - sources: the sources this node has; with none, ``startWithoutSources()`` applies the
    ///     empty configuration.
    ///   - apply: takes each merged configuration, in order (``PodManager/apply(_:)``).
    public init(
        sources: Set<PodConfigSource>, milestones: Milestones = Milestones(),
        apply: @escaping @Sendable (PodConfigState.Desired) async -> Void
    ) {
        self.state = PodConfigState(sources: sources)
        self.milestones = milestones
        self.apply = apply
    }

    /// Everything a source delivered at once (the manifest directory's snapshot): one apply.
    public func update(_ source: PodConfigSource, pods: [Pod], services: [Service]) async {
        state.update(source, pods: pods, services: services)
        await push()
    }

    /// A source's pods (the master's pod watch).
    public func update(_ source: PodConfigSource, pods: [Pod]) async {
        state.update(source, pods: pods)
        await push()
    }

    /// A source's services (the master's service watch); applied once its pods have come.
    public func update(_ source: PodConfigSource, services: [Service]) async {
        state.update(source, services: services)
        await push()
    }

    /// Applies the empty configuration of a node without sources (nothing else ever will), as
    /// an empty manifest directory would: containers labelled with the master as their source
    /// are kept, as on a node whose master has not answered yet.
    public func startWithoutSources() async {
        guard state.expectsNoSource else { return }
        state.update(.file, pods: [])
        await push()
    }

    /// Sources still waited for.
    public var pendingSources: Set<PodConfigSource> { state.pendingSources }

    private func push() async {
        // One apply at a time: an update arriving meanwhile is folded into the next round, so
        // the manager never sees an older set after a newer one.
        if applying {
            dirty = true
            return
        }
        applying = true
        var desired: PodConfigState.Desired?
        repeat {
            dirty = false
            desired = state.desired
            if let desired { await apply(desired) }
        } while dirty
        applying = false
        guard let desired else { return }
        if !localReported, desired.localSourcesDelivered {
            localReported = true
            await milestones.localSourcesApplied()
        }
        if !allReported, desired.allSourcesDelivered {
            allReported = true
            await milestones.allSourcesApplied()
        }
    }
}

/// What each pod source last delivered, and their merge: pure.
public struct PodConfigState: Sendable {
    /// The merged configuration the pod manager applies.
    public struct Desired: Sendable, Equatable {
        /// Every source's pods, the manifest directory's first.
        public var pods: [Pod]
        /// The services pods see (their environment variables): the master's when it delivered
        /// them, else the manifest directory's.
        public var services: [Service]
        /// The sources whose pods `pods` holds.
        public var delivered: Set<PodConfigSource>
        /// Every expected source is among them.
        public var allSourcesDelivered: Bool
        /// Every local source (the manifest directory) is among them.
        public var localSourcesDelivered: Bool
    }

    private let expected: Set<PodConfigSource>
    private var pods: [PodConfigSource: [Pod]] = [:]
    private var services: [PodConfigSource: [Service]] = [:]

    public init(sources: Set<PodConfigSource>) {
        self.expected = sources
    }

    public mutating func update(_ source: PodConfigSource, pods: [Pod], services: [Service]) {
        update(source, services: services)
        update(source, pods: pods)
    }

    /// The master's view of a pod's status and version is not part of what to run: dropping
    /// them keeps the agent's own status writes from waking the pod's worker.
    public mutating func update(_ source: PodConfigSource, pods: [Pod]) {
        self.pods[source] = pods.map { pod in
            var pod = pod
            pod.status = nil
            pod.metadata.resourceVersion = nil
            return pod
        }
    }

    public mutating func update(_ source: PodConfigSource, services: [Service]) {
        self.services[source] = services
    }

    /// Sources still waited for.
    public var pendingSources: Set<PodConfigSource> { expected.filter { pods[$0] == nil } }

    /// The node has neither a manifest directory nor a master.
    public var expectsNoSource: Bool { expected.isEmpty }

    /// The merge; nil until a source delivered its pods.
    public var desired: Desired? {
        guard !pods.isEmpty else { return nil }
        let delivered = Set(pods.keys)
        return Desired(
            pods: [PodConfigSource.file, .api].flatMap { pods[$0] ?? [] },
            // The master's services win: they carry the cluster IPs its proxies program.
            services: services[.api] ?? services[.file] ?? [],
            delivered: delivered,
            allSourcesDelivered: expected.isSubset(of: delivered),
            localSourcesDelivered: expected.filter(\.isLocal).isSubset(of: delivered))
    }
}

extension PodConfigSource {
    /// Sources on the node itself, which never wait for the network.
    public var isLocal: Bool { self == .file }
}
