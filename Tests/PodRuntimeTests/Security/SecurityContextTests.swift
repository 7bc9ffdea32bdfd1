import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("Honouring securityContext, container over pod")
struct SecurityContextTests {
    let builder = ContainerConfigBuilder(nodeName: "node-a", nodeIP: nil, infraImage: "pause", seccompProfileDirectory: "/nonexistent")

    func pod(_ container: SecurityContext? = nil, pod podContext: PodSecurityContext? = nil, edit: (inout PodSpec) -> Void = { _ in }) -> Pod {
        var spec = PodSpec(
            containers: [Container(name: "app", image: "redis:7", securityContext: container)], securityContext: podContext)
        edit(&spec)
        return Pod(metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"), spec: spec).withDefaults()
    }

    func build(_ pod: Pod, builder: ContainerConfigBuilder? = nil) throws -> ContainerCreateConfig {
        try (builder ?? self.builder).appContainer(
            pod: pod, index: 0, restartCount: 0, sandboxID: "infra", serviceEnvironment: [], volumeHostPaths: [:], podIP: nil
        ).config
    }

    @Test("runAsUser and runAsGroup of the container win over the pod's and become Docker's User")
    func user() throws {
        #expect(try build(pod(SecurityContext(runAsUser: 1000), pod: PodSecurityContext(runAsUser: 5, runAsGroup: 3000))).user == "1000:3000")
        #expect(try build(pod(pod: PodSecurityContext(runAsUser: 5))).user == "5")
        #expect(try build(pod()).user == nil)
    }

    @Test("runAsGroup without runAsUser is refused naming the field")
    func groupWithoutUser() throws {
        let error = #expect(throws: ContainerConfigError.self) { try build(pod(pod: PodSecurityContext(runAsGroup: 3000))) }
        #expect(error?.field == "spec.securityContext.runAsGroup")
    }

    @Test("runAsNonRoot with runAsUser 0 is refused at once")
    func nonRootWithRootUser() throws {
        let error = #expect(throws: ContainerConfigError.self) {
            try build(pod(SecurityContext(runAsUser: 0), pod: PodSecurityContext(runAsNonRoot: true)))
        }
        #expect(error?.field == "spec.containers[0].securityContext.runAsUser")
    }

    @Test("supplementalGroups and fsGroup join the container's groups")
    func groups() throws {
        let host = try build(pod(pod: PodSecurityContext(supplementalGroups: [10, 20], fsGroup: 2000))).hostConfig
        #expect(host.groupAdd == ["10", "20", "2000"])
    }

    @Test("capabilities, a read-only root, no-new-privileges and an unconfined seccomp reach Docker")
    func hostSettings() throws {
        let context = SecurityContext(
            readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
            capabilities: Capabilities(add: ["NET_ADMIN"], drop: ["ALL"]), seccompProfile: SeccompProfile(type: "Unconfined"))
        let host = try build(pod(context)).hostConfig
        #expect(host.capAdd == ["NET_ADMIN"])
        #expect(host.capDrop == ["ALL"])
        #expect(host.readonlyRootfs == true)
        #expect(host.securityOpt == ["no-new-privileges", "seccomp=unconfined"])
    }

    @Test("RuntimeDefault keeps the engine's default seccomp profile; Localhost reads the node's profile file")
    func seccomp() throws {
        #expect(try build(pod(pod: PodSecurityContext(seccompProfile: SeccompProfile(type: "RuntimeDefault")))).hostConfig.securityOpt == nil)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clc-seccomp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/profiles", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #"{"defaultAction":"SCMP_ACT_ALLOW"}"#.write(toFile: directory + "/profiles/allow.json", atomically: true, encoding: .utf8)
        var local = builder
        local.seccompProfileDirectory = directory
        let profile = SeccompProfile(type: "Localhost", localhostProfile: "profiles/allow.json")
        #expect(try build(pod(SecurityContext(seccompProfile: profile)), builder: local).hostConfig.securityOpt == [#"seccomp={"defaultAction":"SCMP_ACT_ALLOW"}"#])
        let escaping = SeccompProfile(type: "Localhost", localhostProfile: "../../etc/passwd")
        let error = #expect(throws: ContainerConfigError.self) { try build(pod(SecurityContext(seccompProfile: escaping)), builder: local) }
        #expect(error?.field == "spec.containers[0].securityContext.seccompProfile.localhostProfile")
    }

    @Test("hostPID and hostIPC share the node's namespaces only with --allow-privileged; hostNetwork is refused by name, not ignored")
    func hostNamespaces() throws {
        let shared = pod { $0.hostPID = true; $0.hostIPC = true }
        let refused = #expect(throws: ContainerConfigError.self) { try build(shared) }
        #expect(refused?.field == "spec.hostPID")
        var allowing = builder
        allowing.allowPrivileged = true
        let host = try build(shared, builder: allowing).hostConfig
        #expect(host.pidMode == "host")
        #expect(host.ipcMode == "host")
        #expect(try allowing.infraContainer(pod: shared, attempt: 0).config.hostConfig.ipcMode == "host")
        #expect(try builder.infraContainer(pod: shared, attempt: 0).config.hostConfig.ipcMode == "shareable")
        let error = #expect(throws: ContainerConfigError.self) { try build(pod { $0.hostNetwork = true }) }
        #expect(error?.field == "spec.hostNetwork")
    }

    @Test("a hostNetwork pod's infra container is on the node's network with the node's IP, only with --allow-privileged")
    func hostNetworkInfra() throws {
        let pod = pod { $0.hostNetwork = true }
        let refused = #expect(throws: ContainerConfigError.self) { try builder.infraContainer(pod: pod, attempt: 0) }
        #expect(refused?.field == "spec.hostNetwork")
        var allowing = ContainerConfigBuilder(nodeName: "node-a", nodeIP: "192.168.1.10", infraImage: "pause")
        allowing.allowPrivileged = true
        let infra = try allowing.infraContainer(pod: pod, attempt: 0, network: SandboxNetwork(name: "clc-pods", id: "n1")).config
        #expect(infra.hostConfig.networkMode == "host")
        #expect(infra.hostname == nil)
        #expect(infra.labels["io.clc-node.pod.network"] == "host")
        #expect(infra.labels["io.clc-node.pod.ip"] == "192.168.1.10")
        #expect(try build(pod, builder: allowing).hostConfig.networkMode == "container:infra")
    }

    @Test("shareProcessNamespace joins the infra container's process namespace; hostUsers: false is refused by name")
    func processNamespaceAndUsers() throws {
        #expect(try build(pod { $0.shareProcessNamespace = true }).hostConfig.pidMode == "container:infra")
        #expect(try build(pod()).hostConfig.pidMode == nil)
        let error = #expect(throws: ContainerConfigError.self) { try build(pod { $0.hostUsers = false }) }
        #expect(error?.field == "spec.hostUsers")
        #expect(try build(pod { $0.hostUsers = true }).hostConfig.pidMode == nil)
    }

    @Test("a hostPort is published by the infra container on its hostIP")
    func hostPort() throws {
        let pod = pod {
            $0.containers[0].ports = [
                ContainerPort(containerPort: 80, hostPort: 8080), ContainerPort(containerPort: 53, protocol: "UDP"),
            ]
        }
        let bindings = try builder.infraContainer(pod: pod, attempt: 0).config.hostConfig.portBindings
        #expect(bindings == ["80/tcp": [HostConfig.PortBinding(hostIP: "", hostPort: "8080")]])
    }

    @Test(
        "fields the agent cannot honour are refused by name, never ignored",
        arguments: [
            (#"{"containers": [{"name": "app", "image": "x", "securityContext": {"seLinuxOptions": {"level": "s0"}}}]}"#, "spec.containers[0].securityContext.seLinuxOptions"),
            (#"{"containers": [{"name": "app", "image": "x"}], "securityContext": {"sysctls": [{"name": "a", "value": "1"}]}}"#, "spec.securityContext.sysctls"),
            (#"{"containers": [{"name": "app", "image": "x", "securityContext": {"procMount": "Unmasked"}}]}"#, "spec.containers[0].securityContext.procMount"),
        ])
    func unsupportedFields(json: String, field: String) throws {
        let spec = try JSONDecoder().decode(PodSpec.self, from: Data(json.utf8))
        let pod = Pod(metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"), spec: spec).withDefaults()
        let error = #expect(throws: ContainerConfigError.self) { try build(pod) }
        #expect(error?.field == field)
    }

    @Test("a null or honoured field is no problem, and decoding keeps the encoded form unchanged")
    func knownFields() throws {
        let json = #"{"runAsUser": 1000, "seLinuxOptions": null, "capabilities": {"drop": ["ALL"]}}"#
        let context = try JSONDecoder().decode(SecurityContext.self, from: Data(json.utf8))
        #expect(context.unsupportedFields.isEmpty)
        #expect(context.runAsUser == 1000)
        let encoded = String(decoding: try JSONEncoder().encode(context), as: UTF8.self)
        #expect(!encoded.contains("unsupportedFields"))
    }
}

@Suite("runAsNonRoot verified against the image's user, as kubelet's verifyRunAsNonRoot")
struct RunAsNonRootTests {
    static let rootUsers: [String?] = [nil, "", "root", "0", "0:0"]
    static let nonRootCases: [(String?, Int64?)] = [("999", nil), (nil, 1000)]

    func run(imageUser: String?, runAsUser: Int64? = nil) async throws -> (PodSyncer.Outcome, FakeDockerEngine) {
        let clock = TestClock(TestFixtures.epoch)
        let engine = FakeDockerEngine(clock: clock, images: ["redis:7"])
        if let imageUser { engine.setUser(imageUser, ofImage: "redis:7") }
        let syncer = PodSyncer(
            engine: engine,
            configuration: .init(
                nodeName: "node-a", nodeIP: nil, infraImage: "clc-node/pause:1",
                stateDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("clc-node-\(UUID().uuidString)").path),
            events: RecordingEventRecorder(), infraImage: InfraImageProvisioner(engine: engine, logger: TestFixtures.logger),
            logger: TestFixtures.logger, now: { clock.now })
        let pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"),
            spec: PodSpec(
                containers: [Container(name: "app", image: "redis:7", securityContext: SecurityContext(runAsUser: runAsUser))],
                securityContext: PodSecurityContext(runAsNonRoot: true))
        ).withDefaults()
        return (try await syncer.sync(uid: "uid-1", pod: pod, services: []), engine)
    }

    @Test("an image whose user is unset, root or 0 is refused with CreateContainerConfigError", arguments: RunAsNonRootTests.rootUsers)
    func root(user: String?) async throws {
        let (outcome, engine) = try await run(imageUser: user)
        #expect(outcome.waiting["app"]?.reason == "CreateContainerConfigError")
        #expect(outcome.waiting["app"]?.message.contains("image will run as root") == true)
        #expect(engine.container(named: "k8s_app_web_default_uid-1_0") == nil)
    }

    @Test("an image with a named user cannot be verified and is refused")
    func named() async throws {
        let (outcome, _) = try await run(imageUser: "redis")
        #expect(outcome.waiting["app"]?.message.contains("non-numeric user (redis)") == true)
    }

    @Test("a numeric non-root image user, or a non-root runAsUser, runs", arguments: RunAsNonRootTests.nonRootCases)
    func nonRoot(user: String?, runAsUser: Int64?) async throws {
        let (outcome, engine) = try await run(imageUser: user, runAsUser: runAsUser)
        #expect(outcome.waiting.isEmpty)
        #expect(engine.container(named: "k8s_app_web_default_uid-1_0")?.status == "running")
    }
}
