import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("The payload planner decides a volume's files as kubelet's secret, configMap, downwardAPI and projected plugins")
struct VolumePayloadPlannerTests {
    let planner = VolumePayloadPlanner(
        downward: DownwardAPI(nodeName: "node-a", nodeIP: "10.0.0.1", podIP: nil, allocatableMilliCPU: 4000, allocatableMemory: 8 << 30))
    let pod = Pod(
        metadata: ObjectMeta(name: "web", namespace: "shop", uid: "uid-1", labels: ["app": "web", "tier": "front\"end"]),
        spec: PodSpec(containers: [
            Container(name: "app", image: "redis:7", resources: ResourceRequirements(limits: ["memory": Quantity("64Mi")], requests: ["cpu": Quantity("250m")]))
        ]))
    let secret = Secret(namespace: "shop", name: "db", values: ["user": Array("admin".utf8), "password": Array("s3cret".utf8)])
    let configMap = ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "shop"), data: ["a.conf": "x=1"], binaryData: ["blob": "AAEC"])

    func files(_ payload: [String: FileProjection]) -> [String: String] { payload.mapValues { String(decoding: $0.data, as: UTF8.self) } }

    @Test("a secret without items becomes one file per key with defaultMode")
    func secretAllKeys() throws {
        let volume = Volume(name: "creds", secret: SecretVolumeSource(secretName: "db")).withDefaults()
        let payload = try planner.payload(for: volume, pod: pod, objects: PodObjects(secrets: ["db": secret]))
        #expect(files(payload) == ["user": "admin", "password": "s3cret"])
        #expect(payload.values.allSatisfy { $0.mode == 0o644 })
    }

    @Test("items pick keys, place them at their paths and take their own mode over defaultMode")
    func items() throws {
        let volume = Volume(
            name: "creds",
            secret: SecretVolumeSource(secretName: "db", items: [KeyToPath(key: "password", path: "db/pw", mode: 0o400)], defaultMode: 0o440))
        let payload = try planner.payload(for: volume, pod: pod, objects: PodObjects(secrets: ["db": secret]))
        #expect(payload == ["db/pw": FileProjection("s3cret", mode: 0o400)])
    }

    @Test("a configMap gives its data and binaryData keys")
    func configMapKeys() throws {
        let volume = Volume(name: "conf", configMap: ConfigMapVolumeSource(name: "settings")).withDefaults()
        let payload = try planner.payload(for: volume, pod: pod, objects: PodObjects(configMaps: ["settings": configMap]))
        #expect(payload["a.conf"] == FileProjection("x=1", mode: 0o644))
        #expect(payload["blob"]?.data == [0, 1, 2])
    }

    @Test("a missing object fails the volume naming it, unless optional, which leaves the volume empty")
    func missing() throws {
        let required = Volume(name: "creds", secret: SecretVolumeSource(secretName: "db"))
        #expect(throws: VolumeSetUpError(volume: "creds", detail: "secret \"db\" not found")) {
            try planner.payload(for: required, pod: pod, objects: PodObjects())
        }
        let error = try #require(throws: VolumeSetUpError.self) { try planner.payload(for: required, pod: pod, objects: PodObjects()) }
        #expect(error.description == "MountVolume.SetUp failed for volume \"creds\" : secret \"db\" not found")
        let optional = Volume(name: "creds", secret: SecretVolumeSource(secretName: "db", optional: true))
        #expect(try planner.payload(for: optional, pod: pod, objects: PodObjects()).isEmpty)
        let configMap = Volume(name: "conf", configMap: ConfigMapVolumeSource(name: "settings"))
        #expect(throws: VolumeSetUpError(volume: "conf", detail: "configmap \"settings\" not found")) {
            try planner.payload(for: configMap, pod: pod, objects: PodObjects())
        }
    }

    @Test("an item naming a key the object lacks fails the volume unless optional")
    func missingKey() throws {
        let volume = Volume(name: "creds", secret: SecretVolumeSource(secretName: "db", items: [KeyToPath(key: "token", path: "t")]))
        #expect(throws: VolumeSetUpError(volume: "creds", detail: "references non-existent secret key: token")) {
            try planner.payload(for: volume, pod: pod, objects: PodObjects(secrets: ["db": secret]))
        }
        var optional = volume
        optional.secret?.optional = true
        #expect(try planner.payload(for: optional, pod: pod, objects: PodObjects(secrets: ["db": secret])).isEmpty)
    }

    @Test("the API server's kube-api-access volume holds token, ca.crt and namespace with mode 0644")
    func serviceAccountVolume() throws {
        let token = ServiceAccountTokenProjection(expirationSeconds: 3607, path: "token")
        let volume = Volume(
            name: "kube-api-access-x2b4c",
            projected: ProjectedVolumeSource(
                sources: [
                    VolumeProjection(serviceAccountToken: token),
                    VolumeProjection(configMap: ConfigMapProjection(name: "kube-root-ca.crt", items: [KeyToPath(key: "ca.crt", path: "ca.crt")])),
                    VolumeProjection(downwardAPI: DownwardAPIProjection(items: [
                        DownwardAPIVolumeFile(path: "namespace", fieldRef: ObjectFieldSelector(apiVersion: "v1", fieldPath: "metadata.namespace"))
                    ])),
                ], defaultMode: 420))
        #expect(VolumePayloadPlanner.references(of: volume) == PodObjectReferences(configMaps: ["kube-root-ca.crt"], tokens: [token]))
        let rootCA = ConfigMap(metadata: ObjectMeta(name: "kube-root-ca.crt"), data: ["ca.crt": "PEM"])
        let payload = try planner.payload(
            for: volume, pod: pod, objects: PodObjects(configMaps: ["kube-root-ca.crt": rootCA], tokens: [token: "jwt"]))
        #expect(payload == [
            "token": FileProjection("jwt", mode: 0o644), "ca.crt": FileProjection("PEM", mode: 0o644),
            "namespace": FileProjection("shop", mode: 0o644),
        ])
    }

    @Test("downwardAPI files hold labels as sorted quoted lines and resources divided and rounded up, limits falling back to the node")
    func downward() throws {
        let volume = Volume(
            name: "info",
            downwardAPI: DownwardAPIVolumeSource(items: [
                DownwardAPIVolumeFile(path: "labels", fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels")),
                DownwardAPIVolumeFile(path: "app", fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels['app']")),
                DownwardAPIVolumeFile(path: "mem", resourceFieldRef: ResourceFieldSelector(containerName: "app", resource: "limits.memory", divisor: Quantity("1Mi"))),
                DownwardAPIVolumeFile(path: "cpu-req", resourceFieldRef: ResourceFieldSelector(containerName: "app", resource: "requests.cpu", divisor: Quantity("1"))),
                DownwardAPIVolumeFile(path: "cpu-limit", resourceFieldRef: ResourceFieldSelector(containerName: "app", resource: "limits.cpu", divisor: Quantity("1m"))),
            ], defaultMode: 0o600))
        let payload = files(try planner.payload(for: volume, pod: pod, objects: PodObjects()))
        #expect(payload == [
            "labels": "app=\"web\"\ntier=\"front\\\"end\"", "app": "web", "mem": "64", "cpu-req": "1", "cpu-limit": "4000",
        ])
    }
}

@Suite("Service account tokens are renewed as kubelet's token manager does")
struct TokenRefreshTests {
    let policy = TokenRefreshPolicy()
    let issued = Date(timeIntervalSince1970: 1_000_000)

    @Test("a one-hour token is kept until 80 % of its life minus the jitter, then renewed", arguments: [
        (0.0, 0.0, false), (2879.0, 0.0, false), (2881.0, 0.0, true), (2875.0, 10.0, true), (-5.0, 0.0, true),
    ])
    func eighty(elapsed: Double, jitter: Double, refresh: Bool) {
        let expiry = issued.addingTimeInterval(3600)
        #expect(policy.requiresRefresh(expiresAt: expiry, expirationSeconds: 3600, now: issued.addingTimeInterval(elapsed), jitter: jitter) == refresh)
    }

    @Test("a token older than 24 h is renewed whatever its expiry")
    func maximumAge() {
        let expiry = issued.addingTimeInterval(7 * 24 * 3600)
        #expect(!policy.requiresRefresh(expiresAt: expiry, expirationSeconds: 7 * 24 * 3600, now: issued.addingTimeInterval(23 * 3600), jitter: 0))
        #expect(policy.requiresRefresh(expiresAt: expiry, expirationSeconds: 7 * 24 * 3600, now: issued.addingTimeInterval(24 * 3600 + 1), jitter: 0))
    }

    @Test("the manager serves the cached token, renews it past 80 %, and keeps the old one while renewal fails until expiry")
    func manager() async throws {
        let clock = TestClock(issued)
        let source = FakePodObjectSource(now: { clock.now })
        let manager = ServiceAccountTokenManager(source: source, logger: TestFixtures.logger, now: { clock.now }, jitter: { 0 })
        let pod = Pod(metadata: ObjectMeta(name: "web", namespace: "shop", uid: "uid-1"), spec: PodSpec(serviceAccountName: "builder"))
        let projection = ServiceAccountTokenProjection(audience: "vault", expirationSeconds: 3600, path: "token")
        let first = try await manager.token(for: projection, pod: pod)
        #expect(try await manager.token(for: projection, pod: pod) == first)
        #expect(source.tokenRequests.count == 1)
        let request = try #require(source.tokenRequests.first)
        #expect(request.serviceAccount == "shop/builder")
        #expect(request.spec.audiences == ["vault"])
        #expect(request.spec.boundObjectRef == TokenRequest.BoundObjectReference(name: "web", uid: "uid-1"))
        #expect(await manager.nextRefresh(podUID: "uid-1") == issued.addingTimeInterval(2880))

        clock.advance(by: 2900)
        let second = try await manager.token(for: projection, pod: pod)
        #expect(second != first)
        source.failTokens(true)
        clock.advance(by: 2900)
        #expect(try await manager.token(for: projection, pod: pod) == second)
        clock.advance(by: 800)
        await #expect(throws: PodObjectError.self) { try await manager.token(for: projection, pod: pod) }
    }
}
