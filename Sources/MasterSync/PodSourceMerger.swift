import KubeAPI
import PodRuntime

/// Joins the pod sources (manifest directory, master) into the one desired set the
/// ``PodManager`` works from. Each source is applied as soon as it has delivered, so static
/// pods run while the master is away; the manager protects the containers of a source that
/// has not delivered yet from being taken for orphans.
public actor PodSourceMerger {
    public enum Source: String, Sendable, CaseIterable {
        case manifests
        case master

        /// kubelet's name for the source, as containers are labelled with it.
        public var configSource: PodConfigSource {
            switch self {
            case .manifests: .file
            case .master: .api
            }
        }

        /// Sources on the node itself, which never wait for the network.
        public var isLocal: Bool { self == .manifests }
    }

    /// Called as the merger reaches a milestone.
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

    private let manager: PodManager
    private let expected: Set<Source>
    private var pods: [Source: [Pod]] = [:]
    private var services: [Source: [Service]] = [:]
    private var milestones: Milestones
    private var localReported = false
    private var allReported = false
    private var applying = false
    private var dirty = false

    public init(manager: PodManager, sources: Set<Source>, milestones: Milestones = Milestones()) {
        self.manager = manager
        self.expected = sources
        self.milestones = milestones
    }

    public func update(_ source: Source, pods: [Pod]) async {
        // The master's view of a pod's status and version is not part of what to run; dropping
        // them keeps our own status writes from waking the pod's worker.
        self.pods[source] = pods.map { pod in
            var pod = pod
            pod.status = nil
            pod.metadata.resourceVersion = nil
            return pod
        }
        await push()
    }

    public func update(_ source: Source, services: [Service]) async {
        self.services[source] = services
        await push()
    }

    /// Sources still waited for.
    public var pendingSources: Set<Source> { expected.filter { pods[$0] == nil } }

    private func push() async {
        guard !pods.isEmpty else { return }
        // One apply at a time: a source update arriving meanwhile is folded into the next round,
        // so the manager never sees an older set after a newer one.
        if applying {
            dirty = true
            return
        }
        applying = true
        var delivered: Set<Source> = []
        repeat {
            dirty = false
            delivered = Set(pods.keys)
            let all = Source.allCases.flatMap { pods[$0] ?? [] }
            // The master's services win: they carry the cluster IPs its proxies program.
            let visible = services[.master] ?? services[.manifests] ?? []
            await manager.apply(
                pods: all, services: visible, delivered: Set(delivered.map(\.configSource)),
                allSourcesDelivered: expected.isSubset(of: delivered))
        } while dirty
        applying = false
        if !localReported, expected.filter(\.isLocal).isSubset(of: delivered) {
            localReported = true
            await milestones.localSourcesApplied()
        }
        if !allReported, expected.isSubset(of: delivered) {
            allReported = true
            await milestones.allSourcesApplied()
        }
    }
}
