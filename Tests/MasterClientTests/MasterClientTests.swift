import Foundation
import KubeAPI
import Logging
import MasterClient
import MasterDouble
@testable import MasterSync
import PodRuntime
import Testing

@Suite("The master client against the master double")
struct MasterClientTests {
    let master: MasterDouble
    let client: MasterClient

    init() throws {
        master = try MasterDouble()
        try master.start()
        client = MasterClient(
            endpoint: .init(baseURL: master.url), configuration: .init(retries: 3), logger: Logger(label: "test"))
    }

    @Test("a request answered 503 twice is retried and succeeds")
    func retriesServerErrors() async throws {
        master.failNext(2, status: 503)
        let version = try await client.request("GET", "/version")
        #expect(version.status == 200)
        master.stop()
    }

    @Test("a 404 is not retried and says which request failed")
    func notFoundIsFinal() async throws {
        do {
            _ = try await client.get(Pod.self, "/api/v1/namespaces/default/pods/nothing-here")
            Issue.record("the request succeeded")
        } catch {
            #expect(error.isNotFound)
            #expect("\(error)".contains("/api/v1/namespaces/default/pods/nothing-here"))
        }
        master.stop()
    }

    @Test("registering a node that exists already reads it instead of failing")
    func registerTwice() async throws {
        let node = Node(metadata: ObjectMeta(name: "twice"), status: NodeStatus(capacity: ["pods": Quantity("110")]))
        let first = try await client.registerNode(node)
        let second = try await client.registerNode(node)
        #expect(first.metadata.uid == second.metadata.uid)
        master.stop()
    }

    @Test("a repeated event raises the count of the one already posted instead of posting another")
    func eventsAreCounted() async throws {
        _ = try master.apply(Data(#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"nodeName":"n","containers":[{"name":"c","image":"i"}]}}"#.utf8))
        let pod = try #require(master.pods(namespace: "default").first)
        let recorder = MasterEventRecorder(client: client, nodeName: "n", logger: Logger(label: "test")) { _ in false }
        for _ in 0..<3 {
            recorder.record(PodEvent(pod: pod, container: "c", kind: .warning, reason: "BackOff", message: "Back-off restarting failed container c"))
            try await Task.sleep(for: .milliseconds(100))
        }
        let ok = await master.waitUntil { master in
            master.events(namespace: "default").contains { $0["count"] == .int(3) }
        }
        #expect(ok)
        #expect(master.events(namespace: "default").count == 1)
        master.stop()
    }

    @Test("a forgotten pod's events are no longer kept for counting, after its last event was counted")
    func forgottenPodsEventsDropped() async throws {
        _ = try master.apply(Data(#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"nodeName":"n","containers":[{"name":"c","image":"i"}]}}"#.utf8))
        let pod = try #require(master.pods(namespace: "default").first)
        let recorder = MasterEventRecorder(client: client, nodeName: "n", logger: Logger(label: "test")) { _ in false }
        recorder.record(PodEvent(pod: pod, container: "c", reason: "Created", message: "Created container c"))
        recorder.record(PodEvent(pod: pod, container: "c", reason: "Killing", message: "Stopping container c"))
        recorder.record(PodEvent(pod: pod, container: "c", reason: "Killing", message: "Stopping container c"))
        recorder.forget(podUID: pod.metadata.uid ?? "")
        let counted = await master.waitUntil { master in
            master.events(namespace: "default").contains { $0["count"] == .int(2) }
        }
        #expect(counted, "the repeat queued before the forget is still counted")
        var kept = await recorder.keptEvents
        for _ in 0..<100 where kept != 0 {
            try await Task.sleep(for: .milliseconds(20))
            kept = await recorder.keptEvents
        }
        #expect(kept == 0)
        master.stop()
    }

    @Test("a kubeconfig with inline credentials gives the server and files holding them")
    func kubeconfigInlineData() throws {
        let directory = NSTemporaryDirectory() + "kubeconfig-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ca = Data("CA PEM".utf8).base64EncodedString()
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: node
            clusters:
            - name: other
              cluster: {server: "https://other:6443"}
            - name: main
              cluster:
                server: https://master:6443
                certificate-authority-data: \(ca)
            users:
            - name: kubelet
              user:
                client-certificate: certs/kubelet.crt
                client-key: /etc/kubernetes/kubelet.key
                token: abc
            contexts:
            - name: node
              context: {cluster: main, user: kubelet}
            """
        try yaml.write(toFile: directory + "/kubeconfig", atomically: true, encoding: .utf8)
        let config = try Kubeconfig.load(path: directory + "/kubeconfig", credentialsDirectory: directory + "/credentials")
        #expect(config.server == "https://master:6443")
        #expect(config.token == "abc")
        #expect(config.clientCertificate == directory + "/certs/kubelet.crt")
        #expect(config.clientKey == "/etc/kubernetes/kubelet.key")
        let caFile = try #require(config.certificateAuthority)
        #expect(FileManager.default.contents(atPath: caFile) == Data("CA PEM".utf8))
        master.stop()
    }

    @Test("a kubeconfig without a server names the file and the field")
    func kubeconfigWithoutServer() throws {
        let path = NSTemporaryDirectory() + "kubeconfig-\(UUID().uuidString.prefix(8))"
        try "clusters:\n- name: a\n  cluster: {}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try Kubeconfig.load(path: path, credentialsDirectory: NSTemporaryDirectory())
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("server")
        }
        master.stop()
    }
}
