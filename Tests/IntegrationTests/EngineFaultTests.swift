import DockerEngine
import Foundation
import KubeAPI
import Testing
import TestSupport

/// The Docker engine failing under the agent, as it does on real nodes: restarted by its package
/// upgrade or an operator, or not up yet when the agent starts after a reboot. The engine is one
/// of the test's own (``RestartableEngine``); the suites run one at a time on it.
@Suite("Faults of the Docker engine", .serialized)
struct EngineFaultTests {
    static func restartCount(_ cluster: Cluster, _ pod: String) -> Int32? {
        cluster.pod(pod)?.status?.containerStatuses?.first?.restartCount
    }

    /// Runs `body`, then tears the cluster and the engine down whatever happened; on a failure the
    /// agent's log goes with it.
    static func run(_ cluster: Cluster, on engine: RestartableEngine, _ body: () async throws -> Void) async throws {
        var failure: (any Error)?
        do {
            try await body()
        } catch {
            Issue.record("agent log:\n\(cluster.fixture.agent.log.suffix(4000))")
            failure = error
        }
        await cluster.tearDown()
        await engine.destroy()
        if let failure { throw failure }
    }

    static func runningApps(_ cluster: Cluster) async throws -> [ContainerInspect] {
        try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
    }

    @Test(
        "an engine restarted under the agent: the node is NotReady while it is down, the pod runs again in one container whose restart count the master shows, and the next death is seen at once through the reconnected events"
    )
    func engineRestarted() async throws {
        let engine = try await RestartableEngine.start()
        // A long resync: what the agent notices within seconds it noticed through the events stream.
        let cluster = try Cluster("engine-restart", dockerSocket: engine.socket, extraArguments: ["--resync-interval", "120"])
        try await Self.run(cluster, on: engine) {
            _ = try cluster.master.apply(Data(busyboxPod(name: "steady").utf8))
            try await eventually("the pod Running and Ready on the master", timeout: .seconds(90)) {
                cluster.runningPods().contains { $0.metadata.name == "steady" }
            }
            try await eventually("the node Ready", timeout: .seconds(10)) { cluster.readyCondition()?.status == "True" }
            let before = try #require(try await Self.runningApps(cluster).first)

            try await engine.stopDaemon()
            try await eventually("the node NotReady while the engine is down", timeout: .seconds(15)) {
                let ready = cluster.readyCondition()
                return ready?.status == "False" && ready?.reason == "KubeletNotReady"
            }
            #expect(cluster.fixture.agent.isRunning, "the agent outlives its engine")

            try await engine.startDaemon()
            try await eventually("the node Ready again", timeout: .seconds(20)) { cluster.readyCondition()?.status == "True" }
            // A dockerd shutting down still answers for a while: the agent may have restarted the
            // container on it once already (that instance died with the engine too), so the count
            // is at least 1; what must hold is that the master counts the deaths the engine saw,
            // as the running instance's label does, and that one instance runs.
            try await eventually("the pod running again on the restarted engine, Ready", timeout: .seconds(60)) {
                let running = try await Self.runningApps(cluster)
                guard running.count == 1, let current = running.first, current.id != before.id,
                    let count = Self.restartCount(cluster, "steady"), count >= 1
                else { return false }
                return cluster.runningPods().contains { $0.metadata.name == "steady" }
                    && current.labels["io.kubernetes.container.restartCount"] == String(count)
            }
            let after = try await Self.runningApps(cluster)
            #expect(after.count == 1, "one running container for the pod's one container: \(after.map(\.name))")
            let instances = try await cluster.fixture.docker.containers(node: cluster.fixture.node).filter {
                $0.labels["io.kubernetes.docker.type"] == "container"
            }
            let counts = Set(instances.compactMap { $0.labels["io.kubernetes.container.restartCount"] })
            #expect(counts.count == instances.count, "no restart counted twice: \(instances.map(\.name))")
            let sandboxes = try await cluster.fixture.docker.containers(node: cluster.fixture.node).filter {
                $0.state.running && $0.labels["io.kubernetes.docker.type"] == "podsandbox"
            }
            #expect(sandboxes.count == 1, "one running sandbox: \(sandboxes.map(\.name))")

            let current = try #require(after.first)
            try await cluster.fixture.docker.client.killContainer(id: current.id, signal: "KILL")
            let noticed = try await eventually("the kill seen on the master", timeout: .seconds(10)) {
                let status = cluster.pod("steady")?.status?.containerStatuses?.first
                return status?.state?.running == nil || (status?.restartCount ?? 0) >= 2
            }
            #expect(noticed < .seconds(5), "the events stream reconnected after the restart (resync is 120 s)")
        }
    }

    @Test("an engine down when the agent starts: it waits, says so in STATUS=, and runs the pods once the engine is up")
    func engineDownAtStart() async throws {
        let engine = try await RestartableEngine.start()
        let notify = try NotifySocket()
        defer { notify.close() }
        do {
            try await engine.stopDaemon()
        } catch {
            await engine.destroy()
            throw error
        }
        let cluster = try Cluster("engine-late", dockerSocket: engine.socket, environment: ["NOTIFY_SOCKET": notify.path])
        try await Self.run(cluster, on: engine) {
            _ = try cluster.master.apply(Data(busyboxPod(name: "late").utf8))
            try await eventually("STATUS= naming the engine it waits for", timeout: .seconds(10)) {
                notify.messages.contains { $0.contains("STATUS=Waiting for the Docker engine at \(engine.socket)") }
            }
            #expect(cluster.fixture.agent.isRunning)
            #expect(cluster.fixture.agent.log.contains("docker engine not reachable at \(engine.socket)"))

            try await engine.startDaemon()
            try await eventually("the pod Running and Ready once the engine is up", timeout: .seconds(90)) {
                cluster.runningPods().contains { $0.metadata.name == "late" }
            }
            try await eventually("READY=1 sent", timeout: .seconds(10)) { notify.messages.contains { $0.contains("READY=1") } }
            #expect(cluster.readyCondition()?.status == "True")
        }
    }
}
