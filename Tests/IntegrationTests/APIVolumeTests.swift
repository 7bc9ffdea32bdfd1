import CurlHTTP
import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// Volumes and environment from the objects of a current API server (REFERENCE 11): the agent
/// joined to the master double, on the real Docker engine.
@Suite("Secret, configMap and projected service account volumes through the master", .serialized)
struct APIVolumeTests {
    /// Runs a command in the pod's app container and returns its output.
    static func exec(_ cluster: Cluster, pod: String, _ command: [String]) async throws -> String {
        let apps = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        let container = try #require(apps.first { $0.labels["io.kubernetes.pod.name"] == pod }, "no running container of \(pod)")
        let result = try await cluster.fixture.docker.client.exec(containerID: container.id, command: command, timeout: .seconds(10))
        return String(decoding: result.stdout, as: UTF8.self)
    }

    static func object(_ json: String) throws -> JSONValue { try JSONValue.parse(Array(json.utf8)) }

    @Test("a pod gets its kube-api-access volume (token, ca.crt, namespace), env from secret, configMap and fieldRef, and configMap updates within a resync")
    func projectedAndEnv() async throws {
        let cluster = try Cluster("volumes", extraArguments: ["--resync-interval", "2"])
        defer { Task { await cluster.tearDown() } }
        try cluster.master.apply(object: Self.object(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"s3cret"}}"#))
        try cluster.master.apply(object: Self.object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"mode":"a","LEVEL":"3"}}"#))
        let extra = #"""
            , "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                      {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                      {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}],
              "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "settings"}}],
              "volumeMounts": [{"name": "conf", "mountPath": "/etc/conf"}]
            """#
        var pod = try Self.object(busyboxPod(name: "vols", extraContainerJSON: extra))
        pod[path: ["spec", "volumes"]] = [["name": "conf", "configMap": ["name": "settings"]]]
        try cluster.master.apply(object: pod)
        try await eventually("the pod running", timeout: .seconds(60)) { cluster.runningPods().contains { $0.metadata.name == "vols" } }

        let stored = try #require(cluster.pod("vols"))
        let apiVolume = try #require(stored.spec.volumes?.first { $0.name?.hasPrefix("kube-api-access-") == true })
        #expect(apiVolume.projected != nil)
        let directory = "/var/run/secrets/kubernetes.io/serviceaccount"
        let token = try await Self.exec(cluster, pod: "vols", ["cat", "\(directory)/token"])
        #expect(token.split(separator: ".").count == 3, "a JWT: \(token)")
        #expect(try await Self.exec(cluster, pod: "vols", ["cat", "\(directory)/namespace"]) == "default")
        let rootCA = try #require(cluster.master.object(kind: "ConfigMap", namespace: "default", name: "kube-root-ca.crt"))
        #expect(try await Self.exec(cluster, pod: "vols", ["cat", "\(directory)/ca.crt"]) == rootCA[path: ["data", "ca.crt"]]?.stringValue)
        let listing = try await Self.exec(cluster, pod: "vols", ["ls", "-a", directory])
        #expect(listing.contains("..data"), "kubelet's atomic writer layout: \(listing)")
        // Read-only: the container cannot change what the node writes.
        #expect(try await Self.exec(cluster, pod: "vols", ["sh", "-c", "echo x > /etc/conf/mode 2>&1 || echo refused"]).contains("refused"))
        // The master accepts the token as the pod's service account.
        let review = try await Self.reviewToken(cluster, token)
        #expect(review == "system:serviceaccount:default:default")

        let environment = try await Self.exec(cluster, pod: "vols", ["env"])
        for expected in ["DB_PASSWORD=s3cret", "POD_NAME=vols", "MODE=a", "CFG_LEVEL=3", "CFG_mode=a"] {
            #expect(environment.contains(expected), "\(expected) in \(environment)")
        }

        #expect(try await Self.exec(cluster, pod: "vols", ["cat", "/etc/conf/mode"]) == "a")
        try cluster.master.apply(object: Self.object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"mode":"b","LEVEL":"3"}}"#))
        let took = try await eventually("the configMap change in the running container", timeout: .seconds(30)) {
            try await Self.exec(cluster, pod: "vols", ["cat", "/etc/conf/mode"]) == "b"
        }
        print("configMap update visible in the container after \(took) (resync 2 s, object cache 5 s)")
    }

    @Test("a pod referring to a missing secret waits in ContainerCreating with a FailedMount event naming it, and runs once the secret exists")
    func waitsForSecret() async throws {
        let cluster = try Cluster("volumes-wait", extraArguments: ["--resync-interval", "2"])
        defer { Task { await cluster.tearDown() } }
        var pod = try Self.object(busyboxPod(name: "waits", extraContainerJSON: #", "volumeMounts": [{"name": "creds", "mountPath": "/etc/creds"}]"#))
        pod[path: ["spec", "volumes"]] = [["name": "creds", "secret": ["secretName": "late"]]]
        try cluster.master.apply(object: pod)
        try await eventually("the pod waiting with the reason", timeout: .seconds(30)) {
            guard let waiting = cluster.pod("waits")?.status?.containerStatuses?.first?.state?.waiting else { return false }
            return waiting.reason == "ContainerCreating" && waiting.message?.contains("secret \"late\" not found") == true
        }
        #expect(cluster.events().contains { $0.reason == "FailedMount" && $0.message?.contains("secret \"late\" not found") == true })
        #expect(try await cluster.fixture.docker.containers(node: cluster.fixture.node).isEmpty, "no container before the volume is mounted")

        try cluster.master.apply(object: Self.object(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"late"},"stringData":{"key":"here"}}"#))
        try await eventually("the pod running once the secret exists", timeout: .seconds(30)) { cluster.runningPods().contains { $0.metadata.name == "waits" } }
        #expect(try await Self.exec(cluster, pod: "waits", ["cat", "/etc/creds/key"]) == "here")
    }

    /// The username TokenReview gives the token, or nil when it is not authenticated.
    static func reviewToken(_ cluster: Cluster, _ token: String) async throws -> String? {
        let transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: cluster.master.url))
        let body: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]]
        let response = try await transport.send(.json("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body: body.serialized(), contentType: "application/json", timeout: .seconds(10)))
        let answer = try JSONValue.parse(response.body)
        guard answer[path: ["status", "authenticated"]]?.boolValue == true else { return nil }
        return answer[path: ["status", "user", "username"]]?.stringValue
    }
}
