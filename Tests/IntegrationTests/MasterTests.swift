import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// The agent as a worker node of a master (the project's master double, over real HTTP), on
/// the real Docker engine.
@Suite("The agent joined to a master", .serialized)
struct MasterTests {
    static let guestbook = [
        "redis-master-controller.json", "redis-master-service.json", "redis-slave-controller.json",
        "redis-slave-service.json", "frontend-controller.json", "frontend-service.json",
    ]

    @Test("the guestbook created in the master runs 6 pods whose status shows Running, podIP, restartCount 0 and Ready")
    func guestbookThroughTheMaster() async throws {
        let cluster = try Cluster("master-guestbook")
        defer { Task { await cluster.tearDown() } }
        try cluster.apply(guestbook: MasterTests.guestbook)
        try await eventually("6 pods Running and Ready in the master", timeout: .seconds(60)) { cluster.runningPods().count == 6 }
        for pod in cluster.runningPods() {
            let statuses = try #require(pod.status?.containerStatuses)
            #expect(statuses.allSatisfy { $0.restartCount == 0 && $0.ready && $0.containerID?.hasPrefix("docker://") == true })
            #expect(pod.status?.hostIP != nil)
        }
        let apps = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        #expect(apps.count == 6)

        // Deleting an RC's pod: the agent stops it and confirms; the master makes another.
        let victim = try #require(cluster.runningPods().first { $0.metadata.labels?["name"] == "frontend" })
        _ = try cluster.master.deletePod(namespace: "default", name: victim.metadata.name ?? "", gracePeriodSeconds: 5)
        try await eventually("the deleted pod gone from the master", timeout: .seconds(30)) {
            !cluster.pods().contains { $0.metadata.uid == victim.metadata.uid }
        }
        try await eventually("its replacement running", timeout: .seconds(30)) {
            let frontends = cluster.runningPods().filter { $0.metadata.labels?["name"] == "frontend" }
            return frontends.count == 3 && !frontends.contains { $0.metadata.uid == victim.metadata.uid }
        }
        try await eventually("the deleted pod's containers removed") {
            try await cluster.fixture.docker.containers(node: cluster.fixture.node).allSatisfy {
                $0.labels["io.kubernetes.pod.uid"] != victim.metadata.uid
            }
        }
        let events = cluster.master.events(namespace: "default").compactMap { value in
            (try? JSONEncoder().encode(value)).flatMap { try? JSONDecoder().decode(Event.self, from: $0) }
        }
        #expect(events.contains { $0.reason == "Killing" && $0.involvedObject.uid == victim.metadata.uid })
        #expect(events.contains { $0.reason == "Started" && $0.source?.component == "kubelet" })
    }

    @Test("a watch broken mid-stream and a 410 Gone make the agent resync without creating any container twice")
    func brokenWatchAndGone() async throws {
        let cluster = try Cluster("master-watch")
        defer { Task { await cluster.tearDown() } }
        try cluster.apply(guestbook: ["redis-master-controller.json", "redis-master-service.json"])
        try await eventually("the redis master running", timeout: .seconds(30)) { cluster.runningPods().count == 1 }

        cluster.master.breakWatches()
        _ = try cluster.master.apply(Data(busyboxPod(name: "after-break").utf8))
        try await eventually("a pod created after the break running", timeout: .seconds(30)) { cluster.runningPods().count == 2 }

        // The master goes away; what happens meanwhile is compacted out of its history, so the
        // agent's resourceVersion is too old when it comes back: 410 Gone, then a relist.
        cluster.master.setUnavailable(true)
        cluster.master.breakWatches()
        _ = try cluster.master.apply(Data(busyboxPod(name: "after-gone").utf8))
        cluster.master.compactHistory()
        try await Task.sleep(for: .seconds(1))
        cluster.master.setUnavailable(false)
        try await eventually("a pod created while the history was compacted running", timeout: .seconds(30)) { cluster.runningPods().count == 3 }
        _ = try cluster.master.deletePod(namespace: "default", name: "after-break", gracePeriodSeconds: 2)
        try await eventually("the deleted pod's containers removed", timeout: .seconds(30)) {
            try await cluster.fixture.docker.containers(node: cluster.fixture.node).allSatisfy {
                $0.labels["io.kubernetes.pod.name"] != "after-break"
            }
        }

        let containers = try await cluster.fixture.docker.containers(node: cluster.fixture.node)
        let apps = containers.filter { $0.labels["io.kubernetes.docker.type"] == "container" }
        #expect(apps.count == 2, "one container per live pod, none created twice")
        #expect(apps.allSatisfy { $0.state.running && $0.labels["io.kubernetes.container.restartCount"] == "0" })
        #expect(containers.filter { $0.labels["io.kubernetes.docker.type"] == "podsandbox" }.count == 2)
        #expect(cluster.fixture.agent.log.contains("410"))
    }

    @Test("a master stopped for 60 s restarts no container, and the status written meanwhile catches up")
    func masterOutage() async throws {
        let cluster = try Cluster("master-outage")
        defer { Task { await cluster.tearDown() } }
        _ = try cluster.master.apply(Data(busyboxPod(name: "steady").utf8))
        _ = try cluster.master.apply(Data(busyboxPod(name: "crashing").utf8))
        try await eventually("both pods running", timeout: .seconds(30)) { cluster.runningPods().count == 2 }
        let before = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)

        cluster.master.stop()
        // While the master is away, one container dies and is restarted by the agent alone.
        let crashing = try #require(before.first { $0.labels["io.kubernetes.pod.name"] == "crashing" })
        try await cluster.fixture.docker.client.killContainer(id: crashing.id, signal: "KILL")
        try await Task.sleep(for: .seconds(60))
        let during = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        #expect(during.count == 2)
        let steady = try #require(before.first { $0.labels["io.kubernetes.pod.name"] == "steady" })
        #expect(during.contains { $0.id == steady.id }, "the healthy container was left alone")
        #expect(cluster.fixture.agent.isRunning)

        try cluster.master.start()
        try await eventually("the restart count reaching the master", timeout: .seconds(30)) {
            cluster.pods().first { $0.metadata.name == "crashing" }?.status?.containerStatuses?.first?.restartCount == 1
        }
        let after = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        #expect(after.contains { $0.id == steady.id })
    }

    @Test("the node registers, its heartbeats advance, it is Ready, and its lease is renewed")
    func nodeHeartbeats() async throws {
        let cluster = try Cluster("master-node")
        defer { Task { await cluster.tearDown() } }
        func readyHeartbeat() -> String? {
            guard let value = cluster.master.node(cluster.fixture.node),
                let data = try? JSONEncoder().encode(value), let node = try? JSONDecoder().decode(Node.self, from: data)
            else { return nil }
            return node.status?.conditions?.first { $0.type == "Ready" && $0.status == "True" }?.lastHeartbeatTime
        }
        try await eventually("the node registered and Ready", timeout: .seconds(20)) { readyHeartbeat() != nil }
        let first = try #require(readyHeartbeat())
        try await eventually("a later heartbeat", timeout: .seconds(10)) { (readyHeartbeat() ?? first) > first }
        let value = try #require(cluster.master.node(cluster.fixture.node))
        let node = try JSONDecoder().decode(Node.self, from: JSONEncoder().encode(value))
        #expect(node.status?.nodeInfo?.containerRuntimeVersion.hasPrefix("docker://") == true)
        #expect(node.status?.capacity?["pods"]?.text == "110")
        // The test agent's node API takes any free port (--port 0); the node reports the one it
        // took, and the node API answers there (401: anonymous requests are refused by default).
        let port = try #require(node.status?.daemonEndpoints?.kubeletEndpoint?.Port)
        #expect(port > 0 && port != 10250)
        let answer = try await HostCommand.run("/usr/bin/curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", "https://127.0.0.1:\(port)/pods"])
        #expect(answer.output == "401")
        #expect(cluster.master.object(kind: "Lease", namespace: "kube-node-lease", name: cluster.fixture.node) != nil)
    }
}
