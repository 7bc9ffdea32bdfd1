import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("Pods with secret, configMap and projected volumes and env from objects, synced against a fake engine", .serialized)
struct APIVolumeSyncTests {
    struct Setup {
        let clock = TestClock(TestFixtures.epoch)
        let engine: FakeDockerEngine
        let events = RecordingEventRecorder()
        let objects: FakePodObjectSource
        let syncer: PodSyncer
        let state: String

        init() {
            engine = FakeDockerEngine(clock: clock, images: ["redis:7"])
            state = FileManager.default.temporaryDirectory.appendingPathComponent("clc-node-\(UUID().uuidString)").path
            let clock = clock
            objects = FakePodObjectSource(now: { clock.now })
            syncer = PodSyncer(
                engine: engine, configuration: .init(nodeName: "node-a", nodeIP: "10.0.0.1", infraImage: "clc-node/pause:1", stateDirectory: state),
                events: events, infraImage: InfraImageProvisioner(engine: engine, logger: TestFixtures.logger), objects: objects,
                logger: TestFixtures.logger, now: { clock.now })
        }

        func sync(_ pod: Pod) async throws -> PodSyncer.Outcome {
            try await syncer.sync(uid: pod.metadata.uid ?? "", pod: pod, services: [])
        }

        var app: FakeDockerEngine.StoredContainer? { engine.container(named: "k8s_app_web_shop_uid-1_0") }
    }

    static func pod(volumes: [Volume] = [], mounts: [VolumeMount] = [], env: [EnvVar]? = nil, envFrom: [EnvFromSource]? = nil) -> Pod {
        Pod(
            metadata: ObjectMeta(name: "web", namespace: "shop", uid: "uid-1"),
            spec: PodSpec(
                containers: [Container(name: "app", image: "redis:7", envFrom: envFrom, env: env, volumeMounts: mounts)],
                volumes: volumes)
        ).withDefaults()
    }

    @Test("a pod whose secret is missing waits in ContainerCreating with a FailedMount event naming it, and starts once it exists")
    func waitsForSecret() async throws {
        let setup = Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        let pod = Self.pod(
            volumes: [Volume(name: "creds", secret: SecretVolumeSource(secretName: "db"))],
            mounts: [VolumeMount(name: "creds", mountPath: "/etc/creds")])
        let waiting = try await setup.sync(pod)
        #expect(waiting.waiting["app"]?.reason == "ContainerCreating")
        #expect(waiting.waiting["app"]?.message.contains("secret \"db\" not found") == true)
        #expect(setup.events.events.contains { $0.reason == "FailedMount" && $0.message == "MountVolume.SetUp failed for volume \"creds\" : secret \"db\" not found" })
        #expect(setup.engine.container(named: "k8s_POD_web_shop_uid-1_0") == nil, "no infra container before the volumes are mounted")

        setup.objects.put(Secret(namespace: "shop", name: "db", values: ["password": Array("s3cret".utf8)]))
        let started = try await setup.sync(pod)
        #expect(started.waiting.isEmpty, "\(started.waiting)")
        let directory = "\(setup.state)/pods/uid-1/volumes/kubernetes.io~secret/creds"
        #expect(setup.app?.config.hostConfig.binds == ["\(directory):/etc/creds:ro"])
        #expect(FileManager.default.contents(atPath: "\(directory)/password") == Data("s3cret".utf8))
    }

    @Test("a configMap change is written into the volume by the next sync of the running pod")
    func refreshes() async throws {
        let setup = Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        setup.objects.put(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "shop"), data: ["mode": "a"]))
        let pod = Self.pod(
            volumes: [Volume(name: "conf", configMap: ConfigMapVolumeSource(name: "settings"))],
            mounts: [VolumeMount(name: "conf", mountPath: "/etc/conf")])
        #expect(try await setup.sync(pod).waiting.isEmpty)
        let file = "\(setup.state)/pods/uid-1/volumes/kubernetes.io~configmap/conf/mode"
        #expect(FileManager.default.contents(atPath: file) == Data("a".utf8))
        setup.objects.put(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "shop"), data: ["mode": "b"]))
        _ = try await setup.sync(pod)
        #expect(FileManager.default.contents(atPath: file) == Data("b".utf8))
    }

    @Test("a subPath into a configMap volume binds the payload file, read-only")
    func subPath() async throws {
        let setup = Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        setup.objects.put(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "shop"), data: ["app.conf": "x"]))
        let pod = Self.pod(
            volumes: [Volume(name: "conf", configMap: ConfigMapVolumeSource(name: "settings"))],
            mounts: [VolumeMount(name: "conf", mountPath: "/etc/app.conf", subPath: "app.conf")])
        #expect(try await setup.sync(pod).waiting.isEmpty)
        let bind = try #require(setup.app?.config.hostConfig.binds?.first)
        #expect(bind.contains("/kubernetes.io~configmap/conf/..") && bind.hasSuffix("/app.conf:/etc/app.conf:ro"), "\(bind)")
    }

    @Test("env takes envFrom first, then env over it; refs to secret, configMap, fields and resources resolve; invalid keys are skipped with an event")
    func environment() async throws {
        let setup = Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        setup.objects.put(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "shop"), data: ["MODE": "from-configmap", "LEVEL": "3", "1BAD": "x"]))
        setup.objects.put(Secret(namespace: "shop", name: "db", values: ["password": Array("s3cret".utf8)]))
        let pod = Self.pod(
            env: [
                EnvVar(name: "MODE", value: "override"),
                EnvVar(name: "DB_PASSWORD", valueFrom: EnvVarSource(secretKeyRef: KeySelector(name: "db", key: "password"))),
                EnvVar(name: "LEVEL_AGAIN", valueFrom: EnvVarSource(configMapKeyRef: KeySelector(name: "settings", key: "LEVEL"))),
                EnvVar(name: "POD_NAMESPACE", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.namespace"))),
                EnvVar(name: "MEMORY_LIMIT", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "limits.memory", divisor: Quantity("1Gi")))),
                EnvVar(name: "MAYBE", valueFrom: EnvVarSource(secretKeyRef: KeySelector(name: "absent", key: "k", optional: true))),
            ],
            envFrom: [EnvFromSource(prefix: "CFG_", configMapRef: ObjectNameReference(name: "settings")), EnvFromSource(configMapRef: ObjectNameReference(name: "settings"))])
        #expect(try await setup.sync(pod).waiting.isEmpty)
        let env = try #require(setup.app?.config.env)
        #expect(env.contains("CFG_MODE=from-configmap"))
        #expect(env.contains("CFG_1BAD=x"))
        #expect(env.contains("MODE=override"))
        #expect(!env.contains("MODE=from-configmap"))
        #expect(env.contains("DB_PASSWORD=s3cret"))
        #expect(env.contains("LEVEL_AGAIN=3"))
        #expect(env.contains("POD_NAMESPACE=shop"))
        #expect(env.contains { $0.hasPrefix("MEMORY_LIMIT=") && $0 != "MEMORY_LIMIT=0" })
        #expect(!env.contains { $0.hasPrefix("MAYBE=") || $0.hasPrefix("1BAD=") })
        #expect(setup.events.events.contains {
            $0.reason == "InvalidEnvironmentVariableNames"
                && $0.message == "Keys [1BAD] from the EnvFrom configMap shop/settings were skipped since they are considered invalid environment variable names."
        })
    }

    @Test("a missing key of a non-optional reference stops the container with CreateContainerConfigError naming it")
    func missingKey() async throws {
        let setup = Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        setup.objects.put(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "shop"), data: ["MODE": "a"]))
        let pod = Self.pod(env: [EnvVar(name: "X", valueFrom: EnvVarSource(configMapKeyRef: KeySelector(name: "settings", key: "K")))])
        let outcome = try await setup.sync(pod)
        #expect(outcome.waiting["app"]?.reason == "CreateContainerConfigError")
        #expect(outcome.waiting["app"]?.message.contains("couldn't find key K in ConfigMap shop/settings") == true)
        let missing = Self.pod(env: [EnvVar(name: "X", valueFrom: EnvVarSource(secretKeyRef: KeySelector(name: "nope", key: "K")))])
        let other = Setup()
        defer { try? FileManager.default.removeItem(atPath: other.state) }
        let refused = try await other.sync(missing)
        #expect(refused.waiting["app"]?.message.contains("secret \"nope\" not found") == true)
    }

    @Test("the projected service account volume gets a token bound to the pod, the CA and the namespace")
    func projectedToken() async throws {
        let setup = Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        setup.objects.put(ConfigMap(metadata: ObjectMeta(name: "kube-root-ca.crt", namespace: "shop"), data: ["ca.crt": "PEM"]))
        let volume = Volume(
            name: "kube-api-access-abcde",
            projected: ProjectedVolumeSource(sources: [
                VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(expirationSeconds: 3607, path: "token")),
                VolumeProjection(configMap: ConfigMapProjection(name: "kube-root-ca.crt", items: [KeyToPath(key: "ca.crt", path: "ca.crt")])),
                VolumeProjection(downwardAPI: DownwardAPIProjection(items: [
                    DownwardAPIVolumeFile(path: "namespace", fieldRef: ObjectFieldSelector(fieldPath: "metadata.namespace"))
                ])),
            ]))
        let pod = Self.pod(volumes: [volume], mounts: [VolumeMount(name: volume.name, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true)])
        #expect(try await setup.sync(pod).waiting.isEmpty)
        let directory = "\(setup.state)/pods/uid-1/volumes/kubernetes.io~projected/kube-api-access-abcde"
        #expect(FileManager.default.contents(atPath: "\(directory)/token") == Data("token-1".utf8))
        #expect(FileManager.default.contents(atPath: "\(directory)/ca.crt") == Data("PEM".utf8))
        #expect(FileManager.default.contents(atPath: "\(directory)/namespace") == Data("shop".utf8))
        #expect(setup.objects.tokenRequests.first?.serviceAccount == "shop/default")
        #expect(setup.objects.tokenRequests.first?.spec.expirationSeconds == 3607)

        // 80 % of 3607 s later the next sync renews the token in place.
        setup.clock.advance(by: 2900)
        _ = try await setup.sync(pod)
        #expect(FileManager.default.contents(atPath: "\(directory)/token") == Data("token-2".utf8))
        _ = try await setup.syncer.sync(uid: "uid-1", pod: nil, services: [])
        try await setup.syncer.removeAll(uid: "uid-1")
        #expect(!FileManager.default.fileExists(atPath: "\(setup.state)/pods/uid-1"))
    }
}
