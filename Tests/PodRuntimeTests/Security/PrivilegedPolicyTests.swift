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
}
