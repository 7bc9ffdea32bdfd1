import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// Two agents on two simulated nodes (scripts/netns-nodes.sh), one master double, each node's
/// pods on a pod network of its own given by hand (flannel's lease will give it), routes between
/// the nodes' pod subnets added by hand. The harness the flannel end-to-end tests build on.
@Suite("Two nodes with pod networks of their own", .serialized)
struct TwoNodeTests {
    /// A pod bound to `node` running `script` in clc-test/busybox.
    static func pod(_ name: String, node: String, script: String) -> String {
        let escaped = script.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "\(name)", "namespace": "default"},
             "spec": {"nodeName": "\(node)", "terminationGracePeriodSeconds": 2,
                      "containers": [{"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                                      "command": ["sh", "-c", "\(escaped)"]}]}}
            """
    }

    /// Routes each node's pods to the other's subnet through its underlay address, and lets
    /// them through Docker's FORWARD policy (DROP, as dockerd sets it on a real node) in
    /// DOCKER-USER: what the flannel backend and the agent will do.
    static func route(_ nodes: SimulatedNodes, _ subnets: [String: String]) async throws {
        for (node, _) in subnets {
            for (other, subnet) in subnets where other != node {
                try await nodes.exec(node, ["ip", "route", "replace", subnet, "via", nodes[other].address])
            }
            let check = ["iptables", "-C", "DOCKER-USER", "-s", "10.77.0.0/16", "-d", "10.77.0.0/16", "-j", "ACCEPT"]
            if (try? await nodes.exec(node, check)) == nil {
                try await nodes.exec(node, ["iptables", "-I", "DOCKER-USER", "-s", "10.77.0.0/16", "-d", "10.77.0.0/16", "-j", "ACCEPT"])
            }
        }
    }

    static func runningPod(_ master: MasterDouble, _ name: String) -> Pod? {
        master.pods(namespace: "default").first {
            $0.metadata.name == name && $0.status?.phase == "Running" && !($0.status?.podIP ?? "").isEmpty
                && $0.status?.containerStatuses?.first?.ready == true
        }
    }

    /// `wget` from the app container of `pod` on `node`. (This static busybox's wget dies of a
    /// segmentation fault with `-T` and when the connection is refused: exit 139; the exec's
    /// timeout bounds it instead.)
    static func fetch(_ nodes: SimulatedNodes, node: String, pod: String, url: String) async throws -> String {
        let containers = try await nodes[node].docker.listContainers(labels: [
            "io.kubernetes.pod.name=\(pod)", "io.kubernetes.docker.type=container",
        ])
        guard let app = containers.first(where: { $0.state == "running" }) else {
            throw TestEnvironmentError("no running app container of \(pod) on node \(node)")
        }
        let result = try await nodes[node].docker.exec(
            containerID: app.id, command: ["wget", "-q", "-O", "-", url], timeout: .seconds(10))
        guard result.exitCode == 0 else {
            throw TestEnvironmentError("wget \(url) from \(pod) exited \(result.exitCode): \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }

    @Test(
        "a pod on node A reaches a pod on node B by pod IP; a restart on the same subnet adopts the network; a new subnet on B recreates its pod there, counting one restart"
    )
    func podToPodAcrossNodes() async throws {
        let nodes = try await SimulatedNodes.up(["a", "b"])
        print("two-node harness up in \(nodes.startUpTime)")
        let master = try MasterDouble(host: nodes.rootAddress)
        try master.start()
        let names = ["a": "node-a-\(nodes.run)", "b": "node-b-\(nodes.run)"]
        var agents: [String: AgentProcess] = [:]
        var manifests: [String] = []
        func startAgent(_ node: String, subnet: String) throws {
            let directory = try TestEnvironment.temporaryDirectory("clc-manifests")
            manifests.append(directory)
            agents[node] = try nodes.startAgent(
                on: node, nodeName: names[node]!, manifests: directory,
                arguments: [
                    "--master", master.url, "--node-status-interval", "1", "--pod-network-subnet", subnet,
                    "--pod-network-docker-masquerade", "false",
                ])
        }
        do {
            try startAgent("a", subnet: "10.77.1.0/24")
            try startAgent("b", subnet: "10.77.2.0/24")
            try await Self.route(nodes, ["a": "10.77.1.0/24", "b": "10.77.2.0/24"])
            _ = try master.apply(Data(Self.pod("client", node: names["a"]!, script: "trap 'exit 0' TERM; while true; do sleep 1; done").utf8))
            _ = try master.apply(Data(Self.pod(
                "server", node: names["b"]!,
                script: "mkdir -p /www && echo hello from server > /www/index.html && exec httpd -f -p 8080 -h /www").utf8))
            try await eventually("both pods running with pod IPs", timeout: .seconds(60)) {
                Self.runningPod(master, "client") != nil && Self.runningPod(master, "server") != nil
            }
            let clientIP = try #require(Self.runningPod(master, "client")?.status?.podIP)
            let serverIP = try #require(Self.runningPod(master, "server")?.status?.podIP)
            #expect(clientIP.hasPrefix("10.77.1."), "the client's address comes from node A's subnet")
            #expect(serverIP.hasPrefix("10.77.2."), "the server's address comes from node B's subnet")
            let networks = try await nodes["b"].docker.listNetworks(name: "clc-pods", labels: [])
            #expect(networks.map(\.subnet) == ["10.77.2.0/24"])
            #expect(networks.first?.options?["com.docker.network.bridge.name"] == "clcpod0")

            let answer = try await Self.fetch(nodes, node: "a", pod: "client", url: "http://\(serverIP):8080/")
            #expect(answer == "hello from server\n")

            // Node A's agent restarts with the same subnet: it adopts the network and leaves
            // the client alone.
            let networkA = try await nodes["a"].docker.listNetworks(name: "clc-pods", labels: []).map(\.id)
            let clientContainers = try await nodes["a"].docker.listContainers(labels: ["io.kubernetes.pod.name=client"]).map(\.id)
            agents["a"]?.stop()
            try startAgent("a", subnet: "10.77.1.0/24")
            try await eventually("node A's agent adopting its pod network", timeout: .seconds(30)) {
                agents["a"]?.log.contains("adopting pod network clc-pods (10.77.1.0/24") == true
            }
            try await Task.sleep(for: .seconds(2))  // a sync of the client after the adoption
            #expect(try await nodes["a"].docker.listNetworks(name: "clc-pods", labels: []).map(\.id) == networkA)
            #expect(
                try await nodes["a"].docker.listContainers(labels: ["io.kubernetes.pod.name=client"]).map(\.id).sorted()
                    == clientContainers.sorted(), "no container of the client was replaced")

            // Node B's pod network changes (a new lease): its agent restarts with another
            // subnet, recreates the network, and the server's sandbox with it.
            agents["b"]?.stop()
            try startAgent("b", subnet: "10.77.3.0/24")
            try await eventually("the server recreated on 10.77.3.0/24", timeout: .seconds(60)) {
                guard let pod = Self.runningPod(master, "server") else { return false }
                return pod.status?.podIP?.hasPrefix("10.77.3.") == true
            }
            let moved = try #require(Self.runningPod(master, "server"))
            #expect(moved.status?.containerStatuses?.first?.restartCount == 1, "as kubelet counts a restart for a changed sandbox")
            #expect(try await nodes["b"].docker.listNetworks(name: "clc-pods", labels: []).map(\.subnet) == ["10.77.3.0/24"])
            let log = agents["b"]?.log ?? ""
            #expect(log.contains("recreating pod network clc-pods: subnet 10.77.2.0/24, want 10.77.3.0/24"))
            try await Self.route(nodes, ["a": "10.77.1.0/24", "b": "10.77.3.0/24"])
            let again = try await Self.fetch(nodes, node: "a", pod: "client", url: "http://\(moved.status?.podIP ?? ""):8080/")
            #expect(again == "hello from server\n")
        } catch {
            for (node, agent) in agents { print("--- agent on node \(node):\n\(agent.log.suffix(4000))") }
            for agent in agents.values { agent.cleanUp() }
            master.stop()
            await nodes.down()
            throw error
        }
        for agent in agents.values { agent.cleanUp() }
        for directory in manifests { try? FileManager.default.removeItem(atPath: directory) }
        master.stop()
        await nodes.down()
    }
}
