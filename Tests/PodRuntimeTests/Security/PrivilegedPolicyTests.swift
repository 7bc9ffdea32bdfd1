import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("Privileged containers are refused without --allow-privileged")
struct PrivilegedPolicyTests {
    /// `web` with a privileged `root` and an ordinary `app`.
    func pod() -> Pod {
        Pod(
            metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"),
            spec: PodSpec(
                containers: [
                    Container(name: "root", image: "redis:7", securityContext: SecurityContext(privileged: true)),
                    Container(name: "app", image: "redis:7"),
                ], restartPolicy: "Always")
        ).withDefaults()
    }

    func syncer(allowPrivileged: Bool) -> (PodSyncer, FakeDockerEngine, RecordingEventRecorder) {
        let clock = TestClock(TestFixtures.epoch)
        let engine = FakeDockerEngine(clock: clock, images: ["redis:7"])
        let events = RecordingEventRecorder()
        let configuration = PodSyncer.Configuration(
            nodeName: "node-a", nodeIP: "192.168.1.10", infraImage: "clc-node/pause:1",
            stateDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("clc-node-\(UUID().uuidString)").path,
            allowPrivileged: allowPrivileged)
        let syncer = PodSyncer(
            engine: engine, configuration: configuration, events: events,
            infraImage: InfraImageProvisioner(engine: engine, logger: TestFixtures.logger), logger: TestFixtures.logger,
            now: { clock.now })
        return (syncer, engine, events)
    }

    @Test("by default a privileged container waits with CreateContainerConfigError naming the field, and the others run")
    func refusedByDefault() async throws {
        let (syncer, engine, events) = syncer(allowPrivileged: false)
        let outcome = try await syncer.sync(uid: "uid-1", pod: pod(), services: [])

        let waiting = try #require(outcome.waiting["root"])
        #expect(waiting.reason == "CreateContainerConfigError")
        #expect(waiting.message.contains("spec.containers[0].securityContext.privileged"))
        #expect(waiting.message.contains("Forbidden"))
        #expect(engine.container(named: "k8s_root_web_default_uid-1_0") == nil, "no privileged container is created")
        #expect(engine.container(named: "k8s_app_web_default_uid-1_0")?.status == "running")
        let warning = try #require(events.events.first { $0.container == "root" && $0.kind == .warning })
        #expect(warning.message.contains("spec.containers[0].securityContext.privileged"))
    }

    @Test("with --allow-privileged the container is created privileged")
    func allowed() async throws {
        let (syncer, engine, _) = syncer(allowPrivileged: true)
        let outcome = try await syncer.sync(uid: "uid-1", pod: pod(), services: [])
        #expect(outcome.waiting.isEmpty)
        #expect(engine.container(named: "k8s_root_web_default_uid-1_0")?.config.hostConfig.privileged == true)
    }

    @Test("privileged: false is no privilege and runs under the default policy")
    func explicitFalse() throws {
        let builder = ContainerConfigBuilder(nodeName: "node-a", nodeIP: nil, infraImage: "pause")
        var pod = pod()
        pod.spec.containers[0].securityContext = SecurityContext(privileged: false)
        let built = try builder.appContainer(
            pod: pod, index: 0, restartCount: 0, sandboxID: "infra", serviceEnvironment: [], volumeHostPaths: [:], podIP: nil)
        #expect(built.config.hostConfig.privileged != true)
    }

    @Test("with --allow-privileged a hostNetwork pod runs on the node's network with the node's IP, and a resync keeps it")
    func hostNetwork() async throws {
        let (syncer, engine, _) = syncer(allowPrivileged: true)
        var pod = pod()
        pod.spec.containers.removeFirst()
        pod.spec.hostNetwork = true
        let first = try await syncer.sync(uid: "uid-1", pod: pod, services: [])
        #expect(first.waiting.isEmpty)
        let infra = try #require(engine.container(named: "k8s_POD_web_default_uid-1_0"))
        #expect(infra.config.hostConfig.networkMode == "host")
        #expect(engine.container(named: "k8s_app_web_default_uid-1_0")?.status == "running")
        let sandbox = try #require(first.observed.sandboxes.first)
        #expect(sandbox.ipAddress == "192.168.1.10")
        let status = PodStatusBuilder(hostIP: "192.168.1.10").build(pod: pod, observed: first.observed, waiting: first.waiting, previous: nil, now: TestFixtures.epoch)
        #expect(status.podIP == "192.168.1.10")

        let calls = engine.calls.count
        let again = try await syncer.sync(uid: "uid-1", pod: pod, services: [])
        #expect(engine.calls.count == calls, "a synced hostNetwork pod needs nothing more")
        #expect(again.observed.running.count == 2)

        pod.spec.hostNetwork = false
        _ = try await syncer.sync(uid: "uid-1", pod: pod, services: [])
        #expect(engine.container(named: "k8s_POD_web_default_uid-1_1")?.config.hostConfig.networkMode != "host", "leaving hostNetwork recreates the pod")
    }
}
