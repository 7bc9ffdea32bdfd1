import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// A ``PodSyncer`` over the fake engine, with a hand-moved clock and recorded events.
private struct Harness {
    let clock = TestClock(TestFixtures.epoch)
    let engine: FakeDockerEngine
    let events = RecordingEventRecorder()
    let syncer: PodSyncer
    let puller: ImagePuller

    static let infraImage = "clc-node/pause:1"

    init(images: Set<String>, pullError: String? = nil, podNetwork: PodNetwork? = nil) {
        engine = FakeDockerEngine(clock: clock, images: images, pullError: pullError)
        let configuration = PodSyncer.Configuration(
            nodeName: "node-a", nodeIP: "192.168.1.10", infraImage: Self.infraImage,
            stateDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("clc-node-\(UUID().uuidString)").path,
            podNetwork: podNetwork)
        let clock = clock
        puller = ImagePuller(engine: engine, logger: TestFixtures.logger, now: { clock.now })
        syncer = PodSyncer(
            engine: engine, configuration: configuration, events: events,
            infraImage: InfraImageProvisioner(engine: engine, logger: TestFixtures.logger), puller: puller,
            logger: TestFixtures.logger, now: { clock.now })
    }

    func sync(_ pod: Pod?, services: [Service] = []) async throws -> PodSyncer.Outcome {
        try await syncer.sync(uid: pod?.metadata.uid ?? "uid-1", pod: pod, services: services)
    }

    func pulls() -> Int { engine.pullCount() }

    /// Pulls and questions to the registry before a pull.
    func registryCalls() -> Int { engine.registryCalls() }
}

/// The base pod with `app` running `image`.
private func pod(image: String = "redis:7") -> Pod {
    var pod = TestFixtures.basePod
    pod.spec.containers[0].image = image
    pod.spec.containers[0].imagePullPolicy = nil
    return pod.withDefaults()
}

private let infraName = "k8s_POD_web_default_uid-1_0"
private let appName = "k8s_app_web_default_uid-1_0"

@Suite("Syncing pods against a fake engine")
struct PodSyncerTests {
    @Test("a new pod gets its infra container first, then app joining the infra container's namespaces")
    func newPod() async throws {
        let harness = Harness(images: ["redis:7"])
        let service = Service(
            metadata: ObjectMeta(name: "redis-master", namespace: "default"),
            spec: ServiceSpec(clusterIP: "10.254.0.11", ports: [ServicePort(port: 6379)]))
        let outcome = try await harness.sync(pod(), services: [service])

        let infra = try #require(harness.engine.container(named: infraName))
        let app = try #require(harness.engine.container(named: appName))
        #expect(
            harness.engine.calls == [
                .inspectImage(Harness.infraImage), .importImage(Harness.infraImage),
                .createContainer(name: infraName), .startContainer(id: infra.id),
                .inspectImage("redis:7"),
                .createContainer(name: appName), .startContainer(id: app.id),
            ])
        #expect(app.config.hostConfig.networkMode == "container:\(infra.id)")
        #expect(app.config.hostConfig.ipcMode == "container:\(infra.id)")
        #expect(app.config.env?.contains("REDIS_MASTER_SERVICE_HOST=10.254.0.11") == true)
        #expect(infra.status == "running")
        #expect(app.status == "running")
        #expect(outcome.observed.running.count == 2)
        #expect(outcome.waiting.isEmpty)
        #expect(outcome.nextSync == nil)
        #expect(harness.events.reasons(container: "app") == ["Created", "Started"])

        let again = try await harness.sync(pod())
        #expect(harness.engine.calls.count == 7, "a synced pod needs nothing more")
        #expect(again.observed.running.count == 2)
    }

    @Test("a failed pull of an absent image waits with ErrImagePull, then ImagePullBackOff without pulling again")
    func failedPull() async throws {
        let harness = Harness(images: [Harness.infraImage], pullError: "manifest for redis:7 not found: manifest unknown")
        let first = try await harness.sync(pod())
        let pulling = try #require(first.waiting["app"])
        #expect(pulling.reason == "ErrImagePull")
        #expect(pulling.message.contains("manifest unknown"))
        #expect(pulling.message.contains("redis:7"))
        #expect(first.nextSync == TestFixtures.at(1), "a sync soon reports the back-off")
        #expect(harness.pulls() == 1)
        #expect(harness.engine.container(named: appName) == nil)
        #expect(harness.events.events.contains { $0.reason == "Failed" && $0.kind == .warning && $0.container == "app" })

        harness.clock.advance(by: 1)
        let second = try await harness.sync(pod())
        #expect(second.waiting["app"] == PodActions.Waiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"redis:7\""))
        #expect(second.nextSync == TestFixtures.at(10))
        #expect(harness.pulls() == 1, "no pull while backing off")

        let status = PodStatusBuilder(hostIP: nil).build(
            pod: pod(), observed: second.observed, waiting: second.waiting, previous: nil, now: harness.clock.now)
        #expect(status.containerStatuses?.first?.state?.waiting?.reason == "ImagePullBackOff")
        #expect(status.phase == "Pending")

        harness.clock.advance(by: 8)
        _ = try await harness.sync(pod())
        #expect(harness.pulls() == 1, "still backing off 9 s after the failure")

        harness.clock.advance(by: 1)
        let third = try await harness.sync(pod())
        #expect(harness.pulls() == 2, "the back-off ended: pull again")
        #expect(third.waiting["app"]?.reason == "ErrImagePull")

        harness.clock.advance(by: 1)
        let fourth = try await harness.sync(pod())
        #expect(fourth.waiting["app"]?.reason == "ImagePullBackOff")
        #expect(fourth.nextSync == TestFixtures.at(30), "and the wait doubled")
        #expect(harness.pulls() == 2)
    }

    @Test("an unreachable registry with the image present runs the local image and says so in a warning")
    func fallbackToLocalImage() async throws {
        let harness = Harness(images: [Harness.infraImage, "redis"], pullError: FakeDockerEngine.unreachableRegistry)
        let outcome = try await harness.sync(pod(image: "redis"))
        #expect(harness.registryCalls() == 1, "pull policy Always asks the registry")
        #expect(harness.engine.container(named: appName)?.status == "running")
        #expect(outcome.waiting.isEmpty)
        let fallback = try #require(harness.events.events.first { $0.reason == "PullFallbackToLocal" })
        #expect(fallback.kind == .warning)
        #expect(fallback.container == "app")
        #expect(fallback.message.contains("no such host"))
    }

    @Test("within a registry outage, a present image runs at once and each fallback repeats the same warning")
    func fallbackWithinOutage() async throws {
        let harness = Harness(images: [Harness.infraImage, "redis"], pullError: FakeDockerEngine.registryLookupTimedOut)
        _ = try await harness.sync(pod(image: "redis"))
        #expect(harness.registryCalls() == 1)
        let app = try #require(harness.engine.container(named: appName))

        // The container dies and restarts within the window: no pull, the same warning.
        harness.clock.advance(by: 5)
        harness.engine.exit(app.id, code: 1)
        let restarted = try await harness.sync(pod(image: "redis"))
        #expect(restarted.observed.running.filter { !$0.isInfra }.count == 1)
        #expect(harness.registryCalls() == 1, "the registry is not asked within the outage window")
        let warnings = harness.events.events.filter { $0.reason == "PullFallbackToLocal" }
        #expect(warnings.count == 2)
        #expect(Set(warnings.map(\.message)).count == 1, "one message, so that the recorder counts repeats")
        let message = try #require(warnings.first?.message)
        #expect(message.contains("registry docker.io unreachable"))
        #expect(message.contains("name resolution timed out"))
        #expect(harness.events.reasons(container: "app").filter { $0 == "Pulling" }.count == 1, "Pulling only when pulling")

        // Another pod with the image starts without asking the registry either.
        var other = pod(image: "redis")
        other.metadata.uid = "uid-2"
        other.metadata.name = "web-2"
        let second = try await harness.sync(other)
        #expect(second.waiting.isEmpty)
        #expect(harness.registryCalls() == 1)

        // Once the window ended the registry is tried again.
        harness.clock.advance(by: 60)
        harness.engine.exit(try #require(harness.engine.container(named: "k8s_app_web-2_default_uid-2_0")).id, code: 1)
        _ = try await harness.sync(other)
        #expect(harness.registryCalls() == 2)
    }

    @Test("within a registry outage, an absent image fails at once with ErrImagePull naming the host and the reason")
    func absentImageWithinOutage() async throws {
        let harness = Harness(images: [Harness.infraImage], pullError: FakeDockerEngine.registryLookupTimedOut)
        let first = try await harness.sync(pod(image: "redis"))
        #expect(first.waiting["app"]?.reason == "ErrImagePull")
        #expect(harness.registryCalls() == 1)

        var other = pod(image: "redis")
        other.metadata.uid = "uid-2"
        let second = try await harness.sync(other)
        let waiting = try #require(second.waiting["app"])
        #expect(waiting.reason == "ErrImagePull")
        #expect(waiting.message.contains("registry docker.io unreachable"))
        #expect(waiting.message.contains("name resolution timed out"))
        #expect(waiting.message.contains("i/o timeout"), "the engine's words are kept")
        #expect(harness.registryCalls() == 1, "failed at once, without a pull")
    }

    @Test("three pods of one image started together wait for one pull")
    func podsSharePull() async throws {
        let harness = Harness(images: [Harness.infraImage, "kubernetes/example-guestbook-php-redis"])
        harness.engine.holdPulls()
        let pods = (1...3).map { index in
            var pod = pod(image: "kubernetes/example-guestbook-php-redis")
            pod.metadata.uid = "frontend-\(index)"
            pod.metadata.name = "frontend-\(index)"
            return pod
        }
        try await withThrowingTaskGroup(of: PodSyncer.Outcome.self) { group in
            for pod in pods { group.addTask { try await harness.sync(pod) } }
            while await harness.puller.sharers(of: "kubernetes/example-guestbook-php-redis") < 3 { await Task.yield() }
            harness.engine.releasePulls()
            for try await outcome in group { #expect(outcome.waiting.isEmpty) }
        }
        #expect(harness.pulls() == 1)
        #expect(harness.events.reasons().filter { $0 == "Pulled" }.count == 3)
    }

    @Test("an image the registry refuses is not replaced by the local one")
    func refusedPullIsAnError() async throws {
        let harness = Harness(
            images: [Harness.infraImage, "redis"], pullError: "pull access denied for redis, repository does not exist")
        let outcome = try await harness.sync(pod(image: "redis"))
        #expect(outcome.waiting["app"]?.reason == "ErrImagePull")
        #expect(harness.engine.container(named: appName) == nil)
    }

    @Test("a removed pod has its app containers stopped before its infra container, and its events are forgotten after")
    func removedPod() async throws {
        let harness = Harness(images: [Harness.infraImage, "redis:7"])
        _ = try await harness.sync(pod())
        let infra = try #require(harness.engine.container(named: infraName))
        let app = try #require(harness.engine.container(named: appName))
        let before = harness.engine.calls.count

        let outcome = try await harness.sync(nil)
        #expect(
            Array(harness.engine.calls.dropFirst(before))
                == [.stopContainer(id: app.id, timeoutSeconds: 30), .stopContainer(id: infra.id, timeoutSeconds: 30)])
        #expect(outcome.isStopped)
        #expect(outcome.waiting.isEmpty)
        #expect(harness.events.forgottenPods == ["uid-1"])
    }

    @Test("a crashing container restarts at once with restart count 1, then backs off 10 s")
    func crashLoop() async throws {
        let harness = Harness(images: [Harness.infraImage, "redis:7"])
        _ = try await harness.sync(pod())
        let first = try #require(harness.engine.container(named: appName))

        harness.clock.advance(by: 5)
        harness.engine.exit(first.id, code: 1)
        _ = try await harness.sync(pod())
        let second = try #require(harness.engine.container(named: "k8s_app_web_default_uid-1_1"))
        #expect(second.status == "running")
        #expect(second.config.labels["io.kubernetes.container.restartCount"] == "1")

        harness.clock.advance(by: 1)
        harness.engine.exit(second.id, code: 1)
        harness.clock.advance(by: 1)
        let waiting = try await harness.sync(pod())
        #expect(waiting.waiting["app"]?.reason == "CrashLoopBackOff")
        #expect(waiting.waiting["app"]?.message == "back-off 10s restarting failed container=app pod=default/web")
        // 10 s from when this sync saw it stopped (t=7), not from the engine's FinishedAt (t=6):
        // the engine's times are wall-clock times, the back-off's are the agent's steady clock.
        #expect(waiting.nextSync == TestFixtures.at(17))
        #expect(harness.events.reasons(container: "app").last == "BackOff")

        harness.clock.advance(by: 10)
        _ = try await harness.sync(pod())
        let third = try #require(harness.engine.container(named: "k8s_app_web_default_uid-1_2"))
        #expect(third.status == "running")
        #expect(harness.engine.container(first.id) == nil, "only the newest dead instance is kept")
        #expect(harness.engine.container(second.id) != nil)
    }

    @Test(
        "the crash-loop back-off counts from when the syncer saw the container stop, so an engine clock an hour off neither stalls nor skips it",
        arguments: [-3600.0, 3600.0])
    func backOffIgnoresEngineClock(offset: TimeInterval) async throws {
        let harness = Harness(images: [Harness.infraImage, "redis:7"])
        _ = try await harness.sync(pod())
        let first = try #require(harness.engine.container(named: appName))
        harness.engine.exit(first.id, code: 1, finishedAt: harness.clock.now.addingTimeInterval(offset))
        _ = try await harness.sync(pod())
        let second = try #require(harness.engine.container(named: "k8s_app_web_default_uid-1_1"))
        #expect(second.status == "running", "the first restart is immediate")

        harness.clock.advance(by: 1)
        harness.engine.exit(second.id, code: 1, finishedAt: harness.clock.now.addingTimeInterval(offset))
        let waiting = try await harness.sync(pod())
        #expect(waiting.waiting["app"]?.reason == "CrashLoopBackOff", "not skipped")
        #expect(waiting.nextSync == harness.clock.now.addingTimeInterval(10), "not an hour")

        harness.clock.advance(by: 10)
        _ = try await harness.sync(pod())
        #expect(harness.engine.container(named: "k8s_app_web_default_uid-1_2")?.status == "running")
    }

    @Test("with a pod network the infra container joins it and the pod IP is its address there")
    func podNetwork() async throws {
        let harness = Harness(images: ["redis:7"], podNetwork: try PodNetwork(subnet: "10.77.1.0/24"))
        let network = try await harness.syncer.ensurePodNetwork()
        let outcome = try await harness.sync(pod())
        let infra = try #require(harness.engine.container(named: infraName))
        #expect(infra.config.hostConfig.networkMode == "clc-pods")
        #expect(infra.config.labels[ContainerLabels.networkID] == network.id)
        let sandbox = try #require(outcome.observed.sandboxes.first)
        #expect(sandbox.ipAddress?.hasPrefix("10.77.1.") == true)
        #expect(sandbox.network == network)
        #expect(try await harness.sync(pod()).observed.running.count == 2)
        #expect(harness.engine.calls.filter { if case .createContainer = $0 { true } else { false } }.count == 2, "a synced pod needs nothing more")
    }

    @Test("the first sync sets the pod network up itself when nobody did")
    func podNetworkOnFirstSync() async throws {
        let harness = Harness(images: ["redis:7"], podNetwork: try PodNetwork(subnet: "10.77.1.0/24"))
        let outcome = try await harness.sync(pod())
        #expect(harness.engine.networks.count == 1)
        #expect(outcome.observed.sandboxes.first?.ipAddress?.hasPrefix("10.77.1.") == true)
    }

    @Test("a pod whose infra container is on the default bridge when a pod network comes is recreated on it, app counting 1")
    func podMovesToPodNetwork() async throws {
        let harness = Harness(images: ["redis:7"])
        _ = try await harness.sync(pod())
        let old = try #require(harness.engine.container(named: infraName))
        #expect(old.network == nil)

        try await harness.syncer.setPodNetwork(try PodNetwork(subnet: "10.77.2.0/24"))
        let outcome = try await harness.sync(pod())
        #expect(harness.engine.container(old.id)?.status == "exited")
        let sandbox = try #require(outcome.observed.sandboxes.first { $0.isRunning })
        #expect(sandbox.restartCount == 1)
        #expect(sandbox.ipAddress?.hasPrefix("10.77.2.") == true)
        let app = try #require(outcome.observed.latest("app"))
        #expect(app.isRunning)
        #expect(app.restartCount == 1)
        let changed = harness.events.events.first { $0.reason == "SandboxChanged" }
        #expect(changed?.message.contains("pods now join clc-pods") == true)
    }

    @Test("a pod on the pod network recreated on another subnet is recreated on the new one")
    func podFollowsRecreatedNetwork() async throws {
        let harness = Harness(images: ["redis:7"], podNetwork: try PodNetwork(subnet: "10.77.1.0/24"))
        _ = try await harness.sync(pod())
        try await harness.syncer.setPodNetwork(try PodNetwork(subnet: "10.77.3.0/24"))
        let outcome = try await harness.sync(pod())
        let sandbox = try #require(outcome.observed.sandboxes.first { $0.isRunning })
        #expect(sandbox.ipAddress?.hasPrefix("10.77.3.") == true)
        #expect(outcome.observed.latest("app")?.restartCount == 1)
        #expect(harness.engine.networks.map(\.subnet) == ["10.77.3.0/24"])
    }
}
