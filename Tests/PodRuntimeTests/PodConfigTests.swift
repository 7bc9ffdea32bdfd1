import KubeAPI
import PodRuntime
import Synchronization
import Testing

@Suite("The node's pod configuration: each source's pods, merged")
struct PodConfigTests {
    private func pod(_ name: String, source: PodConfigSource) -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", uid: "uid-\(name)", resourceVersion: "17"))
        if source == .file { pod.metadata.annotations = [PodConfigSource.annotation: "file"] }
        pod.status = PodStatus(phase: "Running")
        return pod
    }

    private func service(_ name: String) -> Service {
        Service(metadata: ObjectMeta(name: name, namespace: "default"), spec: ServiceSpec(clusterIP: "10.254.0.9"))
    }

    /// Records every configuration applied.
    private final class Applied: Sendable {
        private let list = Mutex<[PodConfigState.Desired]>([])
        var all: [PodConfigState.Desired] { list.withLock { $0 } }
        func record(_ desired: PodConfigState.Desired) { list.withLock { $0.append(desired) } }
    }

    @Test("nothing is applied before a source delivered its pods; then the manifest directory's pods run while the master is away")
    func staticPodsFirst() throws {
        var state = PodConfigState(sources: [.file, .api])
        #expect(state.desired == nil)
        state.update(.api, services: [service("from-master")])
        #expect(state.desired == nil, "services alone are no pods to run")
        state.update(.file, pods: [pod("static", source: .file)], services: [service("from-file")])
        let desired = try #require(state.desired)
        #expect(desired.pods.map(\.metadata.name) == ["static"])
        #expect(desired.delivered == [.file])
        #expect(desired.localSourcesDelivered && !desired.allSourcesDelivered)
        #expect(state.pendingSources == [.api])
        #expect(desired.services.map(\.metadata.name) == ["from-master"], "the master's services win")
    }

    @Test("a source's update replaces only its own pods, and the master's status and version are not part of what to run")
    func sourcesAreSeparate() throws {
        var state = PodConfigState(sources: [.file, .api])
        state.update(.file, pods: [pod("static", source: .file)], services: [])
        state.update(.api, pods: [pod("web-1", source: .api), pod("web-2", source: .api)])
        state.update(.api, pods: [pod("web-2", source: .api)])
        let desired = try #require(state.desired)
        #expect(desired.pods.map(\.metadata.name) == ["static", "web-2"])
        #expect(desired.allSourcesDelivered && desired.delivered == [.file, .api])
        #expect(desired.pods.allSatisfy { $0.status == nil && $0.metadata.resourceVersion == nil })
    }

    @Test("a manifest snapshot is one apply, milestones come once each, in order")
    func oneApplyPerSnapshot() async {
        let applied = Applied()
        let milestones = Mutex<[String]>([])
        let config = PodConfig(
            sources: [.file, .api],
            milestones: .init(
                localSourcesApplied: { milestones.withLock { $0.append("local") } },
                allSourcesApplied: { milestones.withLock { $0.append("all") } })
        ) { applied.record($0) }
        await config.update(.file, pods: [pod("static", source: .file)], services: [service("from-file")])
        #expect(applied.all.count == 1)
        #expect(applied.all.last?.services.map(\.metadata.name) == ["from-file"])
        await config.update(.api, services: [service("from-master")])
        await config.update(.api, pods: [pod("web", source: .api)])
        await config.update(.file, pods: [], services: [])
        #expect(applied.all.count == 4)
        #expect(applied.all.last?.pods.map(\.metadata.name) == ["web"])
        #expect(milestones.withLock { $0 } == ["local", "all"])
    }

    @Test("a node without sources applies the empty configuration once, as an empty manifest directory")
    func noSources() async {
        let applied = Applied()
        let withSources = PodConfig(sources: [.api]) { applied.record($0) }
        await withSources.startWithoutSources()
        #expect(applied.all.isEmpty, "a node with a master waits for it")
        let config = PodConfig(sources: []) { applied.record($0) }
        await config.startWithoutSources()
        #expect(applied.all.map(\.delivered) == [[.file]])
        #expect(applied.all.first?.allSourcesDelivered == true)
    }
}
