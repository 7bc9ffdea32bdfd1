import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// A node whose master is away when the agent starts.
@Suite("Static pods and running pods do not wait for an absent master", .serialized)
struct AbsentMasterTests {
    /// Running app containers by pod name.
    static func runningApps(_ cluster: Cluster) async throws -> [String: String] {
        var apps: [String: String] = [:]
        for container in try await cluster.fixture.docker.runningApps(node: cluster.fixture.node) {
            apps[container.labels["io.kubernetes.pod.name"] ?? ""] = container.id
        }
        return apps
    }

    @Test("restarted while the master is down, the agent runs a new static pod, says READY=1 and leaves the master's pods alone; when the master is back they are reconciled without restarts")
    func masterDownAtStart() async throws {
        let cluster = try Cluster("absent-master")
        defer { Task { await cluster.tearDown() } }
        let node = cluster.fixture.node
        try cluster.fixture.write(busyboxPod(name: "static-a"), as: "static-a.json")
        _ = try cluster.master.apply(Data(busyboxPod(name: "from-master").utf8))
        try await eventually("the static pod and the master's pod running", timeout: .seconds(40)) {
            try await Self.runningApps(cluster).keys.sorted() == ["from-master", "static-a-\(node)"]
                && cluster.runningPods().count == 1
        }
        let before = try await Self.runningApps(cluster)

        // The agent dies; the master goes away; an operator adds a static pod meanwhile.
        cluster.fixture.agent.stop(signal: SIGKILL)
        cluster.master.setUnavailable(true)
        cluster.master.breakWatches()
        try cluster.fixture.write(busyboxPod(name: "static-b"), as: "static-b.json")
        let notify = try NotifySocket()
        defer { notify.close() }
        cluster.fixture.agent = try AgentProcess(restarting: cluster.fixture.agent, environment: ["NOTIFY_SOCKET": notify.path])

        try await eventually("the new static pod running with the master down", timeout: .seconds(30)) {
            try await Self.runningApps(cluster)["static-b-\(node)"] != nil
        }
        try await eventually("READY=1 sent, saying it waits for the master", timeout: .seconds(10)) {
            notify.messages.contains { $0.contains("READY=1") && $0.contains("waiting for the master at \(cluster.master.url)") }
        }
        // Give a wrongly eager agent time to stop what it cannot see.
        try await Task.sleep(for: .seconds(3))
        var during = try await Self.runningApps(cluster)
        during["static-b-\(node)"] = nil
        #expect(during == before, "the master's pod and the old static pod kept their containers while the master was away")

        cluster.master.setUnavailable(false)
        try await eventually("STATUS says the agent serves the master's pods", timeout: .seconds(30)) {
            notify.messages.last { $0.contains("STATUS=") }.map { !$0.contains("waiting") } ?? false
        }
        try await eventually("the master's pod Running in the master again", timeout: .seconds(30)) {
            cluster.runningPods().contains { $0.metadata.name == "from-master" }
        }
        try await Task.sleep(for: .seconds(2))
        let after = try await Self.runningApps(cluster)
        #expect(after["from-master"] == before["from-master"], "the master's pod was adopted, not restarted")
        #expect(after["static-a-\(node)"] == before["static-a-\(node)"])
        let restarts = cluster.pods().first { $0.metadata.name == "from-master" }?.status?.containerStatuses?.first?.restartCount
        #expect(restarts == 0)
        #expect(cluster.fixture.agent.isRunning)
    }

    @Test("a master pod deleted while the agent was down is stopped once the master's first list arrives")
    func deletedWhileAway() async throws {
        let cluster = try Cluster("absent-master-delete")
        defer { Task { await cluster.tearDown() } }
        _ = try cluster.master.apply(Data(busyboxPod(name: "keep").utf8))
        _ = try cluster.master.apply(Data(busyboxPod(name: "goner", grace: 2).utf8))
        try await eventually("both pods running", timeout: .seconds(40)) { cluster.runningPods().count == 2 }

        cluster.fixture.agent.stop(signal: SIGKILL)
        _ = try cluster.master.deletePod(namespace: "default", name: "goner", gracePeriodSeconds: 0)
        cluster.master.setUnavailable(true)
        cluster.fixture.agent = try AgentProcess(restarting: cluster.fixture.agent)
        try await Task.sleep(for: .seconds(4))
        #expect(try await Self.runningApps(cluster)["goner"] != nil, "nothing is stopped before the master has spoken")

        cluster.master.setUnavailable(false)
        try await eventually("the deleted pod's containers gone", timeout: .seconds(30)) {
            try await Self.runningApps(cluster)["goner"] == nil
        }
        #expect(try await Self.runningApps(cluster)["keep"] != nil)
    }
}
