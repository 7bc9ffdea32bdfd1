import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// A temporary manifest directory, removed when the test ends.
final class ManifestDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(path)/\(name)"))
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: "\(path)/\(name)") }

    func scanner(node: String = "node-a", range: String = "10.254.0.0/16") throws -> ManifestSource.Scanner {
        ManifestSource.Scanner(
            directory: path, expander: ManifestExpander(nodeName: node),
            allocator: try ClusterIPAllocator(cidr: range), logger: TestFixtures.logger)
    }
}

private func podManifest(image: String = "nginx:1.25") -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
      - name: app
        image: \(image)
    """
}

private let controllerManifest = """
    {
      "kind": "ReplicationController",
      "apiVersion": "v1",
      "metadata": {"name": "frontend", "uid": "rc-uid"},
      "spec": {
        "replicas": 3,
        "template": {
          "metadata": {"labels": {"name": "frontend", "tier": "web"}},
          "spec": {"containers": [{"name": "php-redis", "image": "kubernetes/example-guestbook-php-redis"}]}
        }
      }
    }
    """

private let servicesManifest = """
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Service
      metadata: {name: frontend}
      spec: {ports: [{port: 80}]}
    - apiVersion: v1
      kind: Service
      metadata: {name: redis-master}
      spec: {ports: [{port: 6379}]}
    - apiVersion: v1
      kind: Service
      metadata: {name: redis-slave}
      spec: {ports: [{port: 6379}]}
    - apiVersion: v1
      kind: Service
      metadata: {name: fixed}
      spec: {clusterIP: 10.254.7.7, ports: [{port: 80}]}
    - apiVersion: v1
      kind: Service
      metadata: {name: headless}
      spec: {clusterIP: None, ports: [{port: 80}]}
    """

@Suite("Pods and services from a manifest directory")
struct ManifestSourceTests {
    @Test("a pod file gives <name>-<node> with a UID stable across scans and agent restarts but not across nodes")
    func staticPod() throws {
        let directory = try ManifestDirectory()
        try directory.write("web.yaml", podManifest())
        var scanner = try directory.scanner()
        let first = scanner.scan()
        let pod = try #require(first.pods.first)
        #expect(first.pods.count == 1)
        #expect(pod.metadata.name == "web-node-a")
        #expect(pod.metadata.namespace == "default")
        #expect(pod.spec.nodeName == "node-a")
        #expect(pod.spec.restartPolicy == "Always", "defaults are applied")
        #expect(pod.metadata.annotations?["kubernetes.io/config.source"] == "file")
        let uid = try #require(pod.metadata.uid)
        #expect(uid.count == 36)

        #expect(scanner.scan().pods.first?.metadata.uid == uid, "a second scan keeps the UID")
        var restarted = try directory.scanner()
        #expect(restarted.scan() == first, "a restarted agent reads the same pods")

        var otherNode = try directory.scanner(node: "node-b")
        let other = try #require(otherNode.scan().pods.first)
        #expect(other.metadata.name == "web-node-b")
        #expect(other.metadata.uid != uid)
    }

    @Test("a replication controller of 3 replicas gives 3 stably named pods with the template's labels and an owner")
    func replicationController() throws {
        let directory = try ManifestDirectory()
        try directory.write("frontend.json", controllerManifest)
        var scanner = try directory.scanner()
        let pods = scanner.scan().pods
        #expect(pods.count == 3)
        let names = pods.compactMap(\.metadata.name)
        #expect(Set(names).count == 3)
        #expect(Set(pods.compactMap(\.metadata.uid)).count == 3)
        for name in names {
            #expect(name.wholeMatch(of: /frontend-[bcdfghjklmnpqrstvwxz2456789]{5}/) != nil, "\(name)")
        }
        for pod in pods {
            #expect(pod.metadata.labels == ["name": "frontend", "tier": "web"])
            #expect(pod.metadata.namespace == "default")
            #expect(
                pod.metadata.ownerReferences == [
                    OwnerReference(
                        apiVersion: "v1", kind: "ReplicationController", name: "frontend", uid: "rc-uid", controller: true,
                        blockOwnerDeletion: true)
                ])
            #expect(pod.metadata.generateName == "frontend-", "as the replication manager posts it")
            #expect(pod.spec.containers.first?.imagePullPolicy == "Always", "the template is defaulted")
        }
        var restarted = try directory.scanner()
        #expect(restarted.scan().pods.compactMap(\.metadata.name) == names)
    }

    @Test("changing a file gives its pods new UIDs under the same names")
    func changedFile() throws {
        let directory = try ManifestDirectory()
        try directory.write("web.yaml", podManifest(image: "nginx:1.25"))
        var scanner = try directory.scanner()
        let before = try #require(scanner.scan().pods.first)
        try directory.write("web.yaml", podManifest(image: "nginx:1.25.3"))
        let after = try #require(scanner.scan().pods.first)
        #expect(after.metadata.name == before.metadata.name)
        #expect(after.metadata.uid != before.metadata.uid)
        #expect(after.spec.containers.first?.image == "nginx:1.25.3")
    }

    @Test("removing a file removes its pods at the next scan")
    func removedFile() throws {
        let directory = try ManifestDirectory()
        try directory.write("web.yaml", podManifest())
        try directory.write("frontend.json", controllerManifest)
        var scanner = try directory.scanner()
        #expect(scanner.scan().pods.count == 4)
        try directory.remove("frontend.json")
        #expect(scanner.scan().pods.compactMap(\.metadata.name) == ["web-node-a"])
    }

    @Test("a file that does not parse is reported by name and the other files' pods still come through")
    func brokenFile() throws {
        let directory = try ManifestDirectory()
        try directory.write("web.yaml", podManifest())
        try directory.write("broken.yaml", "kind: Pod\nmetadata: [unclosed\n")
        try directory.write("notes.txt", "not a manifest")
        var scanner = try directory.scanner()
        let snapshot = scanner.scan()
        #expect(snapshot.pods.compactMap(\.metadata.name) == ["web-node-a"])
        #expect(snapshot.problems.count == 1)
        let problem = try #require(snapshot.problems["\(directory.path)/broken.yaml"])
        #expect(problem.contains("broken.yaml"))
    }

    @Test("a pod the API server would reject is reported with its field and the rest of the file comes through")
    func rejectedPod() throws {
        let directory = try ManifestDirectory()
        try directory.write(
            "pods.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: good}
            spec: {containers: [{name: app, image: nginx:1}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: Bad_Name}
            spec: {containers: [{name: app, image: nginx:1}]}
            """)
        var scanner = try directory.scanner()
        let snapshot = scanner.scan()
        #expect(snapshot.pods.compactMap(\.metadata.name) == ["good-node-a"])
        let problem = try #require(snapshot.problems["\(directory.path)/pods.yaml"])
        #expect(problem.contains("metadata.name"))
    }

    @Test("services get stable, distinct cluster IPs inside the range and keep one they ask for")
    func serviceClusterIPs() throws {
        let directory = try ManifestDirectory()
        try directory.write("services.yaml", servicesManifest)
        var scanner = try directory.scanner()
        let services = scanner.scan().services
        let addresses = Dictionary(uniqueKeysWithValues: services.map { ($0.metadata.name ?? "", $0.spec.clusterIP) })
        #expect(addresses["fixed"] == "10.254.7.7")
        #expect(addresses["headless"] == "None")
        let allocator = try ClusterIPAllocator(cidr: "10.254.0.0/16")
        let assigned = ["frontend", "redis-master", "redis-slave"].compactMap { addresses[$0] ?? nil }
        #expect(assigned.count == 3)
        #expect(Set(assigned + ["10.254.7.7"]).count == 4)
        for address in assigned {
            #expect(allocator.contains(address), "\(address)")
            #expect(address != "10.254.0.0" && address != "10.254.0.1", "network and master addresses stay free")
        }
        var restarted = try directory.scanner()
        #expect(restarted.scan().services == services)
    }

    @Test("the allocator moves past an address another service asked for")
    func allocatorAvoidsRequested() throws {
        let allocator = try ClusterIPAllocator(cidr: "10.254.0.0/16")
        let free = try #require(allocator.assign([(key: "default/web", requested: nil)]).addresses["default/web"])
        let assigned = allocator.assign([(key: "default/web", requested: nil), (key: "default/fixed", requested: free)]).addresses
        #expect(assigned["default/fixed"] == free)
        #expect(assigned["default/web"] != free)
        #expect(assigned["default/web"].map(allocator.contains) == true)
    }

    @Test("a full range gives the services beyond it an error naming the service and the range, and returns")
    func exhaustedRange() throws {
        // A /29 has 8 addresses; the network, the master's and the broadcast address stay free.
        let allocator = try ClusterIPAllocator(cidr: "10.254.0.0/29")
        let services = (1...6).map { (key: "default/svc-\($0)", requested: String?.none) }
        let (addresses, errors) = allocator.assign(services)
        #expect(addresses.count == 5)
        #expect(Set(addresses.values).count == 5)
        #expect(addresses.values.allSatisfy { !["10.254.0.0", "10.254.0.1", "10.254.0.7"].contains($0) })
        let error = try #require(errors.values.first)
        #expect(errors.count == 1)
        #expect(error.description.contains("10.254.0.0/29"))
        #expect(error.description.contains("no free address for service default/svc-"))
    }

    @Test("a full range leaves the service without a cluster IP and names it among the directory's problems")
    func exhaustedRangeInTheDirectory() throws {
        let directory = try ManifestDirectory()
        for index in 1...6 {
            try directory.write(
                "svc-\(index).json",
                #"{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "svc-\#(index)"}, "spec": {"ports": [{"port": 80}]}}"#)
        }
        var scanner = try directory.scanner(range: "10.254.0.0/29")
        let snapshot = scanner.scan()
        #expect(snapshot.services.filter { $0.spec.clusterIP != nil }.count == 5)
        let problem = try #require(snapshot.problems.first)
        #expect(problem.key.hasSuffix(".json"))
        #expect(problem.value.contains("10.254.0.0/29"))
    }

    @Test("a malformed service range is rejected with an error naming it", arguments: ["10.0.0.0", "10.0.0.0/33", "10.0.0/16", "fd00::/64"])
    func badRange(_ cidr: String) {
        let error = #expect(throws: ClusterIPAllocatorError.self) { try ClusterIPAllocator(cidr: cidr) }
        #expect(error?.description.contains("\"\(cidr)\"") == true)
    }
}

@Suite("Manifest services validated like the API server")
struct ManifestServicePolicyTests {
    @Test("a manifest service with nodePort 22 is refused naming the service and the field, and never delivered")
    func nodePort22() throws {
        let directory = try ManifestDirectory()
        try directory.write(
            "ssh.json",
            #"{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "ssh"}, "spec": {"type": "NodePort", "ports": [{"port": 22, "nodePort": 22}]}}"#)
        try directory.write(
            "web.json",
            #"{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "web"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}"#)
        var scanner = try directory.scanner()
        let snapshot = scanner.scan()
        #expect(snapshot.services.compactMap(\.metadata.name) == ["web"])
        let problem = try #require(snapshot.problems["\(directory.path)/ssh.json"])
        #expect(problem.contains("service default/ssh"))
        #expect(problem.contains("spec.ports[0].nodePort"))
        #expect(problem.contains("30000-32767"))
    }

    @Test("a cluster IP outside the service range, or one another service holds, is refused naming the field")
    func clusterIPs() throws {
        let directory = try ManifestDirectory()
        try directory.write(
            "a.json", #"{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "a"}, "spec": {"clusterIP": "10.254.0.9", "ports": [{"port": 80}]}}"#)
        try directory.write(
            "b.json", #"{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "b"}, "spec": {"clusterIP": "10.254.0.9", "ports": [{"port": 80}]}}"#)
        try directory.write(
            "c.json", #"{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "c"}, "spec": {"clusterIP": "192.168.1.1", "ports": [{"port": 80}]}}"#)
        var scanner = try directory.scanner()
        let snapshot = scanner.scan()
        #expect(snapshot.services.compactMap(\.metadata.name) == ["a"])
        #expect(snapshot.problems["\(directory.path)/b.json"]?.contains("spec.clusterIP: Invalid value: \"10.254.0.9\": provided IP is already allocated") == true)
        #expect(snapshot.problems["\(directory.path)/c.json"]?.contains("not in the valid range") == true)
    }

    @Test("a configured node port range is honoured")
    func configuredRange() {
        let expander = ManifestExpander(nodeName: "node-a", nodePortRange: 20000...20100)
        let service = Service(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: ServiceSpec(type: "NodePort", ports: [ServicePort(port: 80, nodePort: 20050)]))
        #expect(expander.expand([.service(service)], path: "/m/web.json").services.count == 1)
    }
}
