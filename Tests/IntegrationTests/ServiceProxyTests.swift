import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// The agent's service proxy (`--proxy-mode nftables`) programming the root namespace's table
/// `ip clc-proxy`, reached from a client in a network namespace of its own, over a veth pair
/// whose host side is the node address.
///
/// Serialized, and each test starts and ends without the table: they all program the one table
/// of the root namespace. Every other test's agent runs with `--proxy-mode none`. The agent also
/// runs with `--docker-user-accept false`: the test dockerd does not manage iptables, and the
/// tests leave the host's iptables chains alone.
@Suite("The service proxy end to end, from a client namespace", .serialized)
struct ServiceProxyEndToEndTests {
    @Test("the guestbook applied to the master double stores a message through NodePort 30001 and reads it back")
    func guestbookThroughTheMaster() async throws {
        try await withClientNamespace { client in
            let cluster = try Cluster("proxy-guestbook", extraArguments: Self.proxyArguments(client))
            try await withTearDown {
                try cluster.apply(guestbook: MasterTests.guestbook)
                let frontend = "http://\(client.hostAddress):30001/guestbook.php"
                // The frontend writes through the redis-master cluster IP and reads through the
                // redis-slave one: the answers prove NodePort and ClusterIP alike.
                try await eventually("a set through NodePort 30001 answering Updated", timeout: .seconds(90), poll: .seconds(1)) {
                    try await client.curl(frontend + "?cmd=set&key=messages&value=hello").body == #"{"message": "Updated"}"#
                }
                try await eventually("a get answering the message, once the slave has it", timeout: .seconds(20)) {
                    try await client.curl(frontend + "?cmd=get&key=messages").body == #"{"data": "hello"}"#
                }
                // The syncs that did it are counted under kube-proxy's metric names.
                let metrics = try await HostCommand.check("/usr/bin/curl", ["-s", "-m", "5", "http://\(Self.metricsAddress)/metrics"])
                #expect(metrics.contains("kubeproxy_sync_full_proxy_rules_duration_seconds_count 1\n"), "\(metrics)")
                #expect(metrics.contains("kubeproxy_sync_partial_proxy_rules_duration_seconds_count "))
                #expect(metrics.contains("kubeproxy_sync_proxy_rules_nftables_sync_failures_total 0\n"))
                let lastSync = metrics.split(separator: "\n").first { $0.hasPrefix("kubeproxy_sync_proxy_rules_last_timestamp_seconds ") }
                let seconds = lastSync.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
                #expect(abs(seconds - Date().timeIntervalSince1970) < 120, "last sync time \(String(describing: lastSync))")
            } tearDown: {
                await cluster.tearDown()
            }
        }
    }

    @Test(
        "rules keep serving while the agent is killed, and its restart replaces them once, without a moment of refusal",
        arguments: [PodSource.manifests, .master])
    func killedAndRestarted(source: PodSource) async throws {
        try await withClientNamespace { client in
            let node = try ProxiedNode(source, prefix: "proxy-restart", client: client)
            try await withTearDown {
                try node.add(Self.httpServerPod(name: "web", labels: ["app": "web"]), as: "web-pod.json")
                try node.add(
                    Self.service(name: "web", clusterIP: "10.254.231.2", nodePort: 30002, selector: ["app": "web"]),
                    as: "web-service.json")
                let targets = ["http://\(client.hostAddress):30002/", "http://10.254.231.2/"]
                try await eventually("the pod answering through its NodePort", timeout: .seconds(60), poll: .seconds(1)) {
                    try await client.curl(targets[0]).body == "served by web"
                }
                // The cluster IP is tried only once the table catches it, so that nothing sent to
                // it leaves the host by the default route.
                try #require(try await ProxyTable.set("cluster-ips").contains("10.254.231.2 . tcp . 80"))
                #expect(try await client.curl(targets[1]).body == "served by web")
                let before = ProxyTable.items(try await ProxyTable.listing())
                let verdicts = try await ProxyTable.servedClusterPorts()
                #expect(verdicts == 1)
                let syncsBefore = Self.fullSyncs(in: node.fixture.agent.log)
                #expect(syncsBefore >= 1)

                node.fixture.agent.stop(signal: SIGKILL)
                #expect(ProxyTable.items(try await ProxyTable.listing()) == before, "the table is left as it was")
                for target in targets {
                    let answer = try await client.curl(target)
                    #expect(answer.body == "served by web", "\(target) while the agent is down: \(answer)")
                }

                let monitor = try TableMonitor()
                defer { monitor.stop() }
                try await monitor.waitUntilListening()
                let eventsBefore = monitor.events.count
                node.fixture.agent = try AgentProcess(restarting: node.fixture.agent)
                let agent = node.fixture.agent
                // Connections are tried from the restart until 3 s after its first sync.
                var failures: [String] = []
                var attempts = 0
                var syncedAt: ContinuousClock.Instant?
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(30)
                while clock.now < deadline, syncedAt.map({ clock.now - $0 < .seconds(3) }) ?? true {
                    let answer = try await client.curl(targets[attempts % 2], timeout: 2)
                    attempts += 1
                    if answer.body != "served by web" { failures.append("\(answer)") }
                    if syncedAt == nil, Self.fullSyncs(in: agent.log) > syncsBefore { syncedAt = clock.now }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try #require(syncedAt != nil, "the restarted agent's first full sync within 30 s; its log:\n\(agent.log)")
                #expect(
                    failures.isEmpty,
                    "\(failures.count) of \(attempts) connections failed across the restart: \(failures.prefix(3))")
                #expect(
                    ProxyTable.items(try await ProxyTable.listing()) == before,
                    "the same rules and elements, each once, and no marker left")
                #expect(try await ProxyTable.servedClusterPorts() == verdicts)
                for target in targets {
                    let answer = try await client.curl(target)
                    #expect(answer.body == "served by web", "\(target) after the restart: \(answer)")
                }

                // What the connections above could miss: a sync that held the service without
                // its endpoints for a few milliseconds, until the next.
                let events = Array(monitor.events.dropFirst(eventsBefore))
                try #require(!events.isEmpty, "the monitor saw the restarted agent's full sync")
                let refusing = events.filter { $0.hasPrefix("add element ip clc-proxy no-endpoint-") }
                #expect(refusing.isEmpty, "the restarted agent programmed web without endpoints: \(refusing)")
            } tearDown: {
                await node.tearDown()
            }
        }
    }

    @Test("a NodePort service whose only pod is not ready refuses at once, by NodePort and by cluster IP")
    func refusesWithoutReadyEndpoints() async throws {
        try await withClientNamespace { client in
            let cluster = try Cluster("proxy-refuse", extraArguments: Self.proxyArguments(client))
            try await withTearDown {
                // The pod serves, but its readiness probe never passes: the master lists it in
                // notReadyAddresses, which the proxy must not use.
                let readiness = ["readinessProbe": ["exec": ["command": ["false"]], "periodSeconds": 1] as [String: Any]]
                let pod = Self.httpServerPod(name: "unready", labels: ["app": "unready"], extra: readiness)
                try cluster.master.apply(Data(pod.utf8))
                try cluster.master.apply(Data(Self.service(name: "unready", nodePort: 30003, selector: ["app": "unready"]).utf8))
                try await eventually("the pod running and listed as not ready", timeout: .seconds(60)) {
                    let subsets = cluster.master.endpoints(name: "unready")?.subsets ?? []
                    return subsets.count == 1 && (subsets[0].addresses ?? []).isEmpty && subsets[0].notReadyAddresses?.count == 1
                }
                // Were the proxy to pick it, the pod would answer: it listens.
                let podIP = try #require(cluster.pod("unready")?.status?.podIP)
                // The readiness probe can fail before the server in the pod listens: wait for it.
                try await eventually("the unready pod answering directly", timeout: .seconds(15)) {
                    try await HostCommand.run("/usr/bin/curl", ["-sS", "-m", "5", "http://\(podIP):8080/"]).body == "served by unready"
                }
                let clusterIP = try #require(
                    cluster.master.object(kind: "Service", name: "unready")?[path: ["spec", "clusterIP"]]?.stringValue)
                try await eventually("the table rejecting the NodePort and the cluster IP") {
                    let nodePorts = try await ProxyTable.set("no-endpoint-nodeports")
                    let services = try await ProxyTable.set("no-endpoint-services")
                    return nodePorts.contains("tcp . 30003") && services.contains("\(clusterIP) . tcp . 80")
                }
                for target in ["http://\(client.hostAddress):30003/", "http://\(clusterIP)/"] {
                    for _ in 0..<3 {
                        let answer = try await client.curl(target, verbose: true)
                        let refused = answer.status == 7 && answer.errors.contains("failed: Connection refused")
                        #expect(refused, "\(target): \(answer)")
                        #expect(answer.elapsed < .seconds(2), "\(target) refused at once, not after a time-out: \(answer)")
                    }
                }
            } tearDown: {
                await cluster.tearDown()
            }
        }
    }
}

extension ServiceProxyEndToEndTests {
    /// Where the agents of this suite (one at a time) serve their metrics.
    static let metricsAddress = "127.0.0.1:10349"

    static func proxyArguments(_ client: ClientNamespace) -> [String] {
        [
            "--proxy-mode", "nftables", "--node-ip", client.hostAddress, "--docker-user-accept", "false",
            "--metrics-bind-address", metricsAddress,
        ]
    }

    /// How many full syncs the agent has logged (`service proxy synced ... sync.kind=full`).
    static func fullSyncs(in log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("service proxy synced") && $0.contains("sync.kind=full") }.count
    }

    /// A pod whose busybox httpd answers `served by <name>` on port 8080.
    static func httpServerPod(name: String, labels: [String: String], extra: [String: Any] = [:]) -> String {
        let script = """
            mkdir -p /www && echo "served by \(name)" > /www/index.html && httpd -p 8080 -h /www || exit 1
            trap 'exit 0' TERM; while true; do sleep 1; done
            """
        var container: [String: Any] = [
            "name": "httpd", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
            "command": ["sh", "-c", script], "ports": [["containerPort": 8080]],
        ]
        container.merge(extra) { _, new in new }
        return json([
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": name, "labels": labels],
            "spec": ["terminationGracePeriodSeconds": 2, "containers": [container]],
        ])
    }

    /// A NodePort service on port 80 to the pods' 8080.
    static func service(name: String, clusterIP: String? = nil, nodePort: Int, selector: [String: String]) -> String {
        var spec: [String: Any] = [
            "type": "NodePort", "selector": selector, "ports": [["port": 80, "targetPort": 8080, "nodePort": nodePort]],
        ]
        spec["clusterIP"] = clusterIP
        return json(["apiVersion": "v1", "kind": "Service", "metadata": ["name": name], "spec": spec])
    }

    private static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// Where a test's agent gets its pods and services from.
enum PodSource: String, CustomTestStringConvertible, Sendable {
    /// Manifest files: the agent computes endpoints from its own ready pods.
    case manifests
    /// A master double: the agent watches Services and Endpoints.
    case master

    var testDescription: String { rawValue }
}

/// An agent with the service proxy on, fed from manifests or from a master double.
struct ProxiedNode {
    let fixture: AgentFixture
    let cluster: Cluster?

    init(_ source: PodSource, prefix: String, client: ClientNamespace) throws {
        let arguments = ServiceProxyEndToEndTests.proxyArguments(client)
        switch source {
        case .manifests:
            fixture = try AgentFixture(prefix, extraArguments: arguments)
            cluster = nil
        case .master:
            let cluster = try Cluster(prefix, extraArguments: arguments)
            fixture = cluster.fixture
            self.cluster = cluster
        }
    }

    /// Writes the manifest to the directory, or applies it to the master.
    func add(_ manifest: String, as file: String) throws {
        if let cluster {
            try cluster.master.apply(Data(manifest.utf8))
        } else {
            try fixture.write(manifest, as: file)
        }
    }

    func tearDown() async {
        if let cluster { await cluster.tearDown() } else { await fixture.tearDown() }
    }
}

/// Runs `body` with a new client namespace and no `ip clc-proxy` table; then, whatever happened,
/// deletes the table and the namespace. `body` stops its agent before it returns or throws.
func withClientNamespace(_ body: (ClientNamespace) async throws -> Void) async throws {
    try await ProxyTable.delete()
    let client = try await ClientNamespace.create()
    try await withTearDown {
        try await body(client)
    } tearDown: {
        try? await ProxyTable.delete()
        await client.remove()
    }
}

/// Runs `body`, then `tearDown` whether or not it threw.
func withTearDown<Value>(_ body: () async throws -> Value, tearDown: () async -> Void) async throws -> Value {
    let result: Value
    do {
        result = try await body()
    } catch {
        await tearDown()
        throw error
    }
    await tearDown()
    return result
}

extension HostCommand.Result: CustomStringConvertible {
    /// Standard output without the trailing newline.
    var body: String { output.trimmingCharacters(in: .whitespacesAndNewlines) }

    var description: String { "exit \(status) after \(elapsed): \(body.prefix(200)) \(errors.suffix(300))" }
}
