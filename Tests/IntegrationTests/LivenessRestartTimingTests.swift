import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import Synchronization
import TestSupport
import Testing

@Suite("Liveness restarts timed as kubelet times them", .serialized)
struct LivenessRestartTimingTests {
    @Test("restarts 1 and 2 of a liveness-failing frontend come at its kills, restart 3 ten seconds after the third kill")
    func restartTimes() async throws {
        // The guestbook's health-checked frontend, one replica, its probe pointed at a missing
        // page, initialDelaySeconds 2 and periodSeconds 2; kubelet's default back-off (10 s).
        let url = URL(fileURLWithPath: TestEnvironment.guestbookDirectory + "/frontend-controller-with-health-check.json")
        let manifest = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "\"replicas\": 3", with: "\"replicas\": 1")
            .replacingOccurrences(of: "\"path\": \"/\"", with: "\"path\": \"/no-such-page\"")
            .replacingOccurrences(of: "\"initialDelaySeconds\": 30", with: "\"initialDelaySeconds\": 2, \"periodSeconds\": 2")
        let cluster = try Cluster("liveness-timing")
        defer { Task { await cluster.tearDown() } }
        let timeline = ContainerTimeline(client: cluster.fixture.docker.client, node: cluster.fixture.node)
        defer { timeline.stop() }
        _ = try cluster.master.apply(Data(manifest.utf8))

        do {
            try await eventually("four starts of the frontend (restart 3)", timeout: .seconds(120)) {
                timeline.starts.count >= 4 && timeline.deaths.count >= 3
            }
        } catch {
            timeline.report(agentLog: cluster.fixture.agent.log)
            throw error
        }
        let starts = timeline.starts
        let deaths = timeline.deaths
        try #require(deaths.count >= 3)
        // kubelet's doBackOff, from the death times: restart 1 has no earlier death to back off
        // from; restart 2 finds a new back-off entry (10 s) and is immediate; restart 3 follows
        // a kill that came less than 10 s after the previous death, so it waits 10 s from its
        // own kill.
        #expect(deaths[2].timeIntervalSince(deaths[1]) < 10, "the frontend runs about 6 s between kills")
        let expected = [deaths[0], deaths[1], deaths[2].addingTimeInterval(10)]
        let late = (1...3).map { starts[$0].timeIntervalSince(expected[$0 - 1]) }
        for restart in 1...3 {
            #expect(late[restart - 1] > -0.05, "restart \(restart) came \(String(format: "%.2f", -late[restart - 1])) s before kubelet's time")
            #expect(late[restart - 1] < 1.5, "restart \(restart) came \(String(format: "%.2f", late[restart - 1])) s after kubelet's time")
        }
        // Restarts 1 and 2 are immediate, so their lateness is what creating and starting a
        // container takes on this engine now; restart 3 may take no more than a second beyond
        // that, whatever the load of the machine.
        #expect(late[2] - min(late[0], late[1]) < 1, "restart 3 waited \(String(format: "%.2f", late[2])) s past its back-off")
        let restarts = (1...3).map { String(format: "%.2f", starts[$0].timeIntervalSince(starts[0])) }
        let kills = (0..<3).map { String(format: "%.2f", deaths[$0].timeIntervalSince(starts[0])) }
        print("liveness timing: kills at \(kills) s, restarts at \(restarts) s after the first start")
        try await eventually("restart count 3 in the master", timeout: .seconds(20)) {
            ProbeTests.restartCount(cluster.pods().first) >= 3
        }
    }
}
