import KubeAPI
import PodRuntime

/// Joins the pod sources (manifest directory, master) into the one desired set the
/// ``PodManager`` works from. Nothing reaches the manager until every configured source has
/// delivered once, so that the first apply, which stops containers of unknown pods, never
/// mistakes a slow source for deleted pods.
public actor PodSourceMerger {
    public enum Source: String, Sendable, CaseIterable {
        case manifests
        case master
    }

    private let manager: PodManager
    private let expected: Set<Source>
    private var pods: [Source: [Pod]] = [:]
    private var services: [Source: [Service]] = [:]
    private var onFirstApply: (@Sendable () async -> Void)?
    private var applying = false
    private var dirty = false

    public init(manager: PodManager, sources: Set<Source>, onFirstApply: (@Sendable () async -> Void)? = nil) {
        self.manager = manager
        self.expected = sources
        self.onFirstApply = onFirstApply
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

    private func push() async {
        guard expected.allSatisfy({ pods[$0] != nil }) else { return }
        // One apply at a time: a source update arriving meanwhile is folded into the next round,
        // so the manager never sees an older set after a newer one.
        if applying {
            dirty = true
            return
        }
        applying = true
        repeat {
            dirty = false
            let all = Source.allCases.flatMap { pods[$0] ?? [] }
            // The master's services win: they carry the cluster IPs its proxies program.
            let visible = services[.master] ?? services[.manifests] ?? []
            await manager.apply(pods: all, services: visible)
        } while dirty
        applying = false
        if let first = onFirstApply {
            onFirstApply = nil
            await first()
        }
    }
}
