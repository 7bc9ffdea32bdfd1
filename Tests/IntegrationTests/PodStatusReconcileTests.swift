import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// The agent writes a pod's status again when the master's copy was changed by someone else:
/// the node lifecycle controller after a partition, or a client's PUT (kubelet's status manager
/// needsReconcile, every 10 s).
@Suite("The master's copy of pod status put right by the agent", .serialized)
struct PodStatusReconcileTests {
    static func condition(_ pod: Pod?, _ type: String) -> String? {
        pod?.status?.conditions?.first { $0.type == type }?.status
    }

    static func nodeReady(_ cluster: Cluster) -> String? {
        guard let value = cluster.master.node(cluster.fixture.node),
            let data = try? JSONEncoder().encode(value), let node = try? JSONDecoder().decode(Node.self, from: data)
        else { return nil }
        return node.status?.conditions?.first { $0.type == "Ready" }?.status
    }

    @Test(
        "pods the node lifecycle controller marked NotReady during a 40 s partition are Ready again on the master within one status interval after it ends, without restarts"
    )
    func partitionLongerThanTheGracePeriod() async throws {
        let cluster = try Cluster("status-partition")
        defer { Task { await cluster.tearDown() } }
        // The agent heartbeats every second (Cluster); 4 s of silence make the node Unknown.
        cluster.master.nodeLifecycle = NodeLifecycleSettings(
            monitorPeriod: .milliseconds(500), gracePeriod: .seconds(4), marksContainersNotReady: true)
        _ = try cluster.master.apply(Data(busyboxPod(name: "steady").utf8))
        try await eventually("the pod running and Ready", timeout: .seconds(30)) { cluster.runningPods().count == 1 }
        try await eventually("the node Ready", timeout: .seconds(10)) { Self.nodeReady(cluster) == "True" }
        let before = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)

        cluster.master.setPartitioned(true)
        let partitioned = ContinuousClock.now
        try await eventually("the node Unknown", timeout: .seconds(15)) { Self.nodeReady(cluster) == "Unknown" }
        try await eventually("the pod marked NotReady by the controller", timeout: .seconds(5)) {
            let pod = cluster.pod("steady")
            return Self.condition(pod, "Ready") == "False" && Self.condition(pod, "ContainersReady") == "False"
        }
        // 40 s, as long as a real master's grace period: the agent's watch back-off has grown
        // to its 30 s ceiling by then.
        try await Task.sleep(until: partitioned + .seconds(40))
        cluster.master.setPartitioned(false)

        let healed = try await eventually("the pod Ready again on the master", timeout: .seconds(10), poll: .milliseconds(100)) {
            let pod = cluster.pod("steady")
            return Self.condition(pod, "Ready") == "True" && Self.condition(pod, "ContainersReady") == "True"
        }
        print("pod Ready on the master again \(healed) after the partition ended")
        try await eventually("the node Ready again", timeout: .seconds(10)) { Self.nodeReady(cluster) == "True" }
        let readyCondition = cluster.master.node(cluster.fixture.node).flatMap { value in
            (try? JSONEncoder().encode(value)).flatMap { try? JSONDecoder().decode(Node.self, from: $0) }
        }?.status?.conditions?.first { $0.type == "Ready" }
        let transition = try #require(readyCondition?.lastTransitionTime.flatMap(KubeTime.parse))
        #expect(Date().timeIntervalSince(transition) < 15, "Ready moved from Unknown to True after the partition, as kubelet reports it")
        #expect(cluster.events().contains { $0.reason == "NodeNotReady" && $0.involvedObject.name == "steady" })
        let after = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        #expect(after.map(\.id) == before.map(\.id), "the pod's container was left alone")
        #expect(cluster.pod("steady")?.status?.containerStatuses?.first?.restartCount == 0)
        #expect(cluster.fixture.agent.log.contains("the master's copy of the pod status differs"))
    }

    @Test("a status PUT by another client that drops containerStatuses and Ready is put right within 10 s, without restarts")
    func overwrittenByAnotherClient() async throws {
        let cluster = try Cluster("status-overwrite")
        defer { Task { await cluster.tearDown() } }
        _ = try cluster.master.apply(Data(busyboxPod(name: "steady").utf8))
        try await eventually("the pod running and Ready", timeout: .seconds(30)) { cluster.runningPods().count == 1 }
        // Let the agent's own writes settle (2 s without a status write), so that the overwrite
        // is the last word.
        try await eventually("2 s without a status write by the agent", timeout: .seconds(30), poll: .milliseconds(250)) {
            !cluster.master.requests(since: Date().addingTimeInterval(-2)).contains { $0.resource == "pods/status" }
        }
        let wanted = try #require(cluster.pod("steady")?.status)
        let before = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        #expect(!cluster.fixture.agent.log.contains("the master's copy of the pod status differs"), "no rewrite of the agent's own writes")

        func overwrite() throws {
            var overwritten = try #require(cluster.master.object(kind: "Pod", name: "steady")?["status"])
            overwritten["containerStatuses"] = nil
            overwritten["conditions"] = [["type": "Ready", "status": "False", "reason": "SomeoneElse"]]
            // What the master stored, not a read after it, which the agent may already have answered.
            let stored = try cluster.master.replacePodStatus(name: "steady", overwritten)
            #expect(stored["status"]?["containerStatuses"] == nil)
        }
        func isRepaired() -> Bool {
            let status = cluster.pod("steady")?.status
            return status?.containerStatuses?.first?.ready == true && Self.condition(cluster.pod("steady"), "Ready") == "True"
        }
        // The watch shows the change and the agent writes at once.
        try overwrite()
        let repaired = try await eventually("containerStatuses back on the master", timeout: .seconds(10), poll: .milliseconds(100)) {
            isRepaired()
        }
        print("status put right \(repaired) after the overwrite")
        let status = try #require(cluster.pod("steady")?.status)
        #expect(status.containerStatuses == wanted.containerStatuses)
        #expect(status.phase == "Running")

        // Overwritten again at once, as a controller fighting the agent would: the agent waits
        // 2 s (doubling for further rounds) rather than answering in a loop, and puts it right.
        try overwrite()
        let again = try await eventually("the second overwrite put right", timeout: .milliseconds(10_500), poll: .milliseconds(100)) {
            isRepaired()
        }
        print("second overwrite put right \(again) after it")
        #expect(again > .seconds(1), "the second rewrite waits for its delay instead of answering at once")

        // Once the master holds the agent's status, the periodic checks write nothing.
        let settled = Date()
        try await Task.sleep(for: .seconds(11))
        let writes = cluster.master.requests(since: settled).filter { $0.resource == "pods/status" }
        #expect(writes.isEmpty, "status writes in a steady state: \(writes.map(\.method))")
        let after = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        #expect(after.map(\.id) == before.map(\.id), "the pod's container was left alone")
    }
}
