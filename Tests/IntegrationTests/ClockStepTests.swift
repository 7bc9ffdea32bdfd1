import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import Synchronization
import TestSupport
import Testing

/// The agent's wall clock, stepped while it runs: Preload/wall-clock-step.c, built here and
/// preloaded into the agent, adds the seconds written in a file to CLOCK_REALTIME and leaves
/// the monotonic clocks, sleeps and timers alone, as an NTP step or `date -s` would. The
/// engine, the master double and the test keep the real clock, so every duration below is the
/// engine's (container start and finish times) or the test's own.
private struct SteppedClock {
    let directory: String
    var offsetFile: String { directory + "/offset" }

    /// The agent's environment for it.
    let environment: [String: String]

    init() async throws {
        let compiler = ["/usr/bin/cc", "/opt/swift/usr/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let compiler else {
            throw TestEnvironmentError("no C compiler (cc or the Swift toolchain's clang) to build the wall-clock-step library")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("clc-clock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Preload/wall-clock-step.c").path
        let library = directory + "/wall-clock-step.so"
        try await HostCommand.check(compiler, ["-shared", "-fPIC", "-O2", "-o", library, source])
        environment = ["LD_PRELOAD": library, "WALL_CLOCK_STEP_FILE": directory + "/offset"]
        try step(by: 0)
    }

    /// Sets the agent's wall clock `seconds` off the real time.
    func step(by seconds: Int) throws {
        try Data("\(seconds)\n".utf8).write(to: URL(fileURLWithPath: offsetFile), options: .atomic)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// What the master shows of the node while the clock steps: each Ready status seen, and
/// whether the node Lease's renewTime ever went back.
private final class NodeSamples: Sendable {
    private struct Seen {
        var readyStatuses: Set<String> = []
        var renewTimes: [Date] = []
    }

    private final class Box: Sendable {
        let seen = Mutex(Seen())
    }

    private let box = Box()
    private let task: Task<Void, Never>

    init(cluster: Cluster) {
        let box = self.box
        task = Task {
            while !Task.isCancelled {
                let ready = cluster.readyCondition()?.status
                let renewTime = cluster.master.object(kind: "Lease", namespace: "kube-node-lease", name: cluster.fixture.node)?[
                    path: ["spec", "renewTime"]]?.stringValue.flatMap(KubeTime.parse)
                box.seen.withLock {
                    if let ready { $0.readyStatuses.insert(ready) }
                    if let renewTime, $0.renewTimes.last != renewTime { $0.renewTimes.append(renewTime) }
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    var readyStatuses: Set<String> { box.seen.withLock { $0.readyStatuses } }
    var renewTimes: [Date] { box.seen.withLock { $0.renewTimes } }

    func stop() { task.cancel() }
}

@Suite("The agent's wall clock stepped back and forward by an hour", .serialized)
struct ClockStepTests {
    static let backOff = 4.0

    @Test(
        "crash-loop back-offs keep their length, readiness probes their period, and the node its heartbeats, when the agent's wall clock steps back an hour and forward again"
    )
    func stepBackAndForward() async throws {
        let clock = try await SteppedClock()
        defer { clock.remove() }
        let cluster = try Cluster(
            "clock-step",
            extraArguments: ["--crash-loop-back-off-initial", "\(Int(Self.backOff))", "--crash-loop-back-off-max", "\(Int(Self.backOff))"],
            environment: clock.environment)
        defer { Task { await cluster.tearDown() } }
        let timeline = ContainerTimeline(client: cluster.fixture.docker.client, node: cluster.fixture.node, pod: "crasher")
        defer { timeline.stop() }

        _ = try cluster.master.apply(Data(busyboxPod(name: "crasher", script: "sleep 1; exit 1", grace: 0).utf8))
        let probe = #", "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 1, "failureThreshold": 1}"#
        _ = try cluster.master.apply(
            Data(busyboxPod(name: "ready", script: "touch /tmp/ready; trap 'exit 0' TERM; while true; do sleep 1; done", extraContainerJSON: probe).utf8))
        let node = NodeSamples(cluster: cluster)
        defer { node.stop() }
        do {
            try await eventually("the probed pod ready", timeout: .seconds(60)) { cluster.runningPods().contains { $0.metadata.name == "ready" } }
            try await eventually("the crashing pod restarted twice", timeout: .seconds(60)) { timeline.starts.count >= 3 }
            try await eventually("the node's Lease on the master", timeout: .seconds(30)) {
                cluster.master.object(kind: "Lease", namespace: "kube-node-lease", name: cluster.fixture.node) != nil
            }
            for (step, offset) in [("back an hour", -3600), ("forward an hour", 0)] {
                try clock.step(by: offset)
                let startsBefore = timeline.starts.count
                try await Self.toggleReadiness(cluster, after: step)
                try await eventually("two restarts of the crashing pod after the step \(step)", timeout: .seconds(40)) {
                    timeline.starts.count >= startsBefore + 2
                }
            }
        } catch {
            timeline.report(agentLog: cluster.fixture.agent.log, lines: 80)
            throw error
        }

        // Each restart after the first waited the back-off from its container's death (the
        // engine's times): not an hour (the step back) and not at once (the step forward).
        let starts = timeline.starts
        let deaths = timeline.deaths
        for index in 2..<max(2, min(starts.count, deaths.count + 1)) {
            let wait = starts[index].timeIntervalSince(deaths[index - 1])
            #expect(wait >= Self.backOff - 0.2, "restart \(index) came \(wait) s after the death before it")
            #expect(wait < Self.backOff + 10, "restart \(index) came \(wait) s after the death before it")
        }
        #expect(node.readyStatuses == ["True"], "the node stayed Ready on the master")
        let renewTimes = node.renewTimes
        #expect(renewTimes.count >= 5, "the Lease was renewed through both steps")
        #expect(zip(renewTimes, renewTimes.dropFirst()).allSatisfy { $0 < $1 }, "the Lease's renewTime never went back: \(renewTimes)")
    }

    /// Takes the readiness file away and back; the master sees Ready follow within seconds.
    static func toggleReadiness(_ cluster: Cluster, after step: String) async throws {
        let apps = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
        let container = try #require(apps.first { $0.labels["io.kubernetes.pod.name"] == "ready" })
        func ready() -> String? {
            cluster.pod("ready")?.status?.conditions?.first { $0.type == "Ready" }?.status
        }
        _ = try await cluster.fixture.docker.client.exec(containerID: container.id, command: ["rm", "/tmp/ready"], timeout: .seconds(10))
        try await eventually("the probed pod not ready after the step \(step)", timeout: .seconds(15)) { ready() == "False" }
        _ = try await cluster.fixture.docker.client.exec(containerID: container.id, command: ["touch", "/tmp/ready"], timeout: .seconds(10))
        try await eventually("the probed pod ready again after the step \(step)", timeout: .seconds(15)) { ready() == "True" }
    }
}
