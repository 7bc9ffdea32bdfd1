import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// Probes and lifecycle hooks on the real engine, reported through the master double.
@Suite("Probes and lifecycle hooks", .serialized)
struct ProbeTests {
    /// The guestbook's health-checked frontend with one replica, the probe's path replaced, and
    /// (so the test takes seconds, not minutes) initialDelaySeconds 1 (unless given) and periodSeconds 1
    /// instead of 30 and the default 10.
    static func frontend(path: String, initialDelaySeconds: Int = 1, timeoutSeconds: Int = 1) throws -> Data {
        let url = URL(fileURLWithPath: TestEnvironment.guestbookDirectory + "/frontend-controller-with-health-check.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"replicas\": 3", with: "\"replicas\": 1")
        text = text.replacingOccurrences(of: "\"path\": \"/\"", with: "\"path\": \"\(path)\"")
        text = text.replacingOccurrences(of: "\"initialDelaySeconds\": 30", with: "\"initialDelaySeconds\": \(initialDelaySeconds), \"periodSeconds\": 1")
        text = text.replacingOccurrences(of: "\"timeoutSeconds\": 1", with: "\"timeoutSeconds\": \(timeoutSeconds)")
        return Data(text.utf8)
    }

    static func restartCount(_ pod: Pod?) -> Int32 { pod?.status?.containerStatuses?.first?.restartCount ?? -1 }

    @Test("a frontend whose liveness path does not exist is restarted, and the restart counts in the master climb")
    func failingLivenessRestarts() async throws {
        let cluster = try Cluster("probe-liveness", extraArguments: ["--crash-loop-back-off-initial", "2"])
        defer { Task { await cluster.tearDown() } }
        _ = try cluster.master.apply(try Self.frontend(path: "/no-such-page"))
        try await eventually("restart count 1 in the master", timeout: .seconds(40)) {
            Self.restartCount(cluster.pods().first) >= 1
        }
        try await eventually("restart count 2 in the master", timeout: .seconds(40)) {
            Self.restartCount(cluster.pods().first) >= 2
        }
        // The recorder posts events in order behind the pod's earlier ones, so the repeats' count
        // may reach the master a moment after the restart; and an early probe may have found apache
        // not yet listening (a "connection refused" event of its own), so the 404 event is the one
        // whose repeats are counted.
        let notFound = { cluster.events().first { $0.reason == "Unhealthy" && ($0.message ?? "").contains("statuscode: 404") } }
        try await eventually("the 404 Unhealthy event counted twice or more", timeout: .seconds(10)) {
            (notFound()?.count ?? 0) >= 2
        }
        let events = cluster.events()
        #expect(events.contains { $0.reason == "Killing" && ($0.message ?? "").contains("liveness") })
        let unhealthy = try #require(notFound())
        #expect(unhealthy.involvedObject.fieldPath == "spec.containers{php-redis}")
        #expect((unhealthy.count ?? 0) >= 2, "repeats are counted on one event")
        #expect(events.filter { $0.reason == "Unhealthy" && $0.message == unhealthy.message }.count == 1, "one event for the repeated message")
    }

    @Test("a frontend whose liveness path exists is never restarted")
    func passingLivenessKeepsRunning() async throws {
        let cluster = try Cluster("probe-healthy")
        defer { Task { await cluster.tearDown() } }
        // Apache needs a moment to listen after its container starts (seconds while a parallel
        // test round loads the machine): the first probe comes 8 s after the start, as the
        // manifest's 30 s leaves apache its time, and 6 probes follow. Each probe may take 5 s, not
        // the manifest's 1 s: under that load apache's PHP page once took longer than a second
        // (CI, stop 18), and kubelet would have said Unhealthy as well.
        _ = try cluster.master.apply(try Self.frontend(path: "/", initialDelaySeconds: 8, timeoutSeconds: 5))
        try await eventually("the frontend running", timeout: .seconds(30)) { cluster.runningPods().count == 1 }
        try await Task.sleep(for: .seconds(14))
        #expect(Self.restartCount(cluster.pods().first) == 0)
        let unhealthy = cluster.events().filter { $0.reason == "Unhealthy" }
        #expect(unhealthy.isEmpty, "Unhealthy events: \(unhealthy.map { $0.message ?? "" })")
    }

    @Test("the redis master's postStart hook creates /hello-world.txt before the container counts as running")
    func postStartHookRuns() async throws {
        let cluster = try Cluster("hook-poststart")
        defer { Task { await cluster.tearDown() } }
        try cluster.apply(guestbook: ["redis-master-controller-with-lifecycle.json"])
        try await eventually("the redis master running", timeout: .seconds(30)) { cluster.runningPods().count == 1 }
        let master = try #require(try await cluster.fixture.docker.runningApps(node: cluster.fixture.node).first)
        let result = try await cluster.fixture.docker.client.exec(containerID: master.id, command: ["ls", "/hello-world.txt"], timeout: .seconds(5))
        #expect(result.exitCode == 0)
    }

    @Test("a failing postStart hook kills the container, which restarts with FailedPostStartHook events")
    func failingPostStartRestarts() async throws {
        let cluster = try Cluster("hook-fail", extraArguments: ["--crash-loop-back-off-initial", "2"])
        defer { Task { await cluster.tearDown() } }
        let url = URL(fileURLWithPath: TestEnvironment.guestbookDirectory + "/redis-master-controller-with-lifecycle.json")
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "\"touch\",", with: "\"sh\", \"-c\", \"exit 3\", \"--\",")
        _ = try cluster.master.apply(Data(text.utf8))
        try await eventually("a restart after the hook failed", timeout: .seconds(40)) { Self.restartCount(cluster.pods().first) >= 1 }
        #expect(cluster.events().contains { $0.reason == "FailedPostStartHook" && ($0.message ?? "").contains("exited with 3") })
    }

    @Test("an exec probe that sleeps past its timeout fails on time and leaves no process behind")
    func execProbeTimesOut() async throws {
        let cluster = try Cluster("probe-exec")
        defer { Task { await cluster.tearDown() } }
        _ = try cluster.master.apply(
            Data(busyboxPod(
                name: "slowprobe",
                extraContainerJSON: #", "livenessProbe": {"exec": {"command": ["sleep", "30"]}, "timeoutSeconds": 1, "periodSeconds": 3, "failureThreshold": 5}"#
            ).utf8))
        try await eventually("an Unhealthy event for the time-out", timeout: .seconds(30)) {
            cluster.events().contains { $0.reason == "Unhealthy" && ($0.message ?? "").contains("no exit within") }
        }
        let app = try #require(try await cluster.fixture.docker.runningApps(node: cluster.fixture.node).first)
        try await Task.sleep(for: .milliseconds(500))
        let processes = try await cluster.fixture.docker.client.exec(containerID: app.id, command: ["ps"], timeout: .seconds(5))
        let sleeping = String(decoding: processes.stdout, as: UTF8.self).split(separator: "\n").filter { $0.contains("sleep 30") }
        #expect(sleeping.count <= 1, "at most the probe now running; timed-out ones were killed")
    }

    @Test("a tcpSocket probe against a closed port fails with the address in its event")
    func tcpProbeAgainstClosedPort() async throws {
        let cluster = try Cluster("probe-tcp")
        defer { Task { await cluster.tearDown() } }
        _ = try cluster.master.apply(
            Data(busyboxPod(
                name: "closedport",
                extraContainerJSON: #", "livenessProbe": {"tcpSocket": {"port": 9999}, "periodSeconds": 1, "failureThreshold": 50}"#
            ).utf8))
        try await eventually("an Unhealthy event naming the port", timeout: .seconds(30)) {
            cluster.events().contains { $0.reason == "Unhealthy" && ($0.message ?? "").contains(":9999") }
        }
    }

    @Test("readiness toggling moves the pod in and out of its service's endpoints")
    func readinessMovesEndpoints() async throws {
        let cluster = try Cluster("probe-ready")
        defer { Task { await cluster.tearDown() } }
        _ = try cluster.master.apply(Data(#"""
            {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "toggle"},
             "spec": {"selector": {"app": "toggle"}, "ports": [{"port": 80, "targetPort": 8080}]}}
            """#.utf8))
        let pod = busyboxPod(
            name: "toggle",
            extraContainerJSON: #", "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 1}"#
        ).replacingOccurrences(of: #""metadata": {"name": "toggle"}"#, with: #""metadata": {"name": "toggle", "labels": {"app": "toggle"}}"#)
        _ = try cluster.master.apply(Data(pod.utf8))
        try await eventually("the pod running but not ready", timeout: .seconds(30)) {
            let endpoints = cluster.master.endpoints(name: "toggle")
            return endpoints?.subsets?.first?.notReadyAddresses?.count == 1
        }
        let app = try #require(try await cluster.fixture.docker.runningApps(node: cluster.fixture.node).first)
        _ = try await cluster.fixture.docker.client.exec(containerID: app.id, command: ["touch", "/tmp/ready"], timeout: .seconds(5))
        try await eventually("the pod among the ready addresses", timeout: .seconds(15)) {
            cluster.master.endpoints(name: "toggle")?.subsets?.first?.addresses?.count == 1
        }
        _ = try await cluster.fixture.docker.client.exec(containerID: app.id, command: ["rm", "/tmp/ready"], timeout: .seconds(5))
        try await eventually("the pod out of the ready addresses again", timeout: .seconds(15)) {
            (cluster.master.endpoints(name: "toggle")?.subsets?.first?.addresses ?? []).isEmpty
        }
        #expect(Self.restartCount(cluster.pod("toggle")) == 0, "readiness never restarts a container")
    }

    @Test("a probe naming a port the container does not declare is reported, and the agent runs the rest")
    func badProbeIsReported() async throws {
        let cluster = try Cluster("probe-bad")
        defer { Task { await cluster.tearDown() } }
        // The master double, like our validation, refuses this pod; a static pod still reaches
        // the agent, which must say what is wrong.
        try cluster.fixture.write(
            busyboxPod(name: "badport", extraContainerJSON: #", "livenessProbe": {"httpGet": {"port": "web"}}"#), as: "badport.json")
        _ = try cluster.master.apply(
            Data(busyboxPod(name: "nohost", extraContainerJSON: #", "livenessProbe": {"httpGet": {"port": 80, "host": "no-such-host.invalid"}, "periodSeconds": 1, "failureThreshold": 100}"#).utf8))
        _ = try cluster.master.apply(Data(busyboxPod(name: "fine").utf8))
        try await eventually("the problems reported", timeout: .seconds(30)) {
            let log = cluster.fixture.agent.log
            return log.contains("spec.containers[0].livenessProbe.httpGet.port") && log.contains("CreateContainerConfigError")
                && cluster.events().contains { $0.reason == "Unhealthy" && ($0.message ?? "").contains("no-such-host.invalid") }
        }
        try await eventually("the healthy pods running", timeout: .seconds(30)) {
            Set(cluster.runningPods().compactMap(\.metadata.name)) == ["fine", "nohost"]
        }
        #expect(cluster.fixture.agent.isRunning)
    }
}
