import DockerEngine
import Foundation
import TestSupport
import Testing

/// The agent against the real Docker engine that scripts/test.sh starts. Serialized: they share
/// two cores and one engine.
@Suite("The agent on a real Docker engine", .serialized)
struct AgentTests {
    @Test("the guestbook's controllers run 1 master, 2 slaves and 3 frontends that see the redis services")
    func guestbookRuns() async throws {
        let fixture = try AgentFixture("guestbook")
        defer { Task { await fixture.tearDown() } }
        try fixture.copyGuestbook([
            "redis-master-controller.json", "redis-master-service.json", "redis-slave-controller.json",
            "redis-slave-service.json", "frontend-controller.json", "frontend-service.json",
        ])
        try await eventually("6 app containers running", timeout: .seconds(60)) {
            try await fixture.docker.runningApps(node: fixture.node).count == 6
        }
        let apps = try await fixture.docker.runningApps(node: fixture.node)
        let byName = Dictionary(grouping: apps) { $0.labels["io.kubernetes.container.name"] ?? "" }
        #expect(byName["master"]?.count == 1)
        #expect(byName["slave"]?.count == 2)
        #expect(byName["php-redis"]?.count == 3)
        let frontendEnvironment = try #require(byName["php-redis"]?.first?.config.env)
        #expect(frontendEnvironment.contains { $0.hasPrefix("REDIS_MASTER_SERVICE_HOST=10.254.") })
        #expect(frontendEnvironment.contains("REDIS_MASTER_SERVICE_PORT=6379"))
        #expect(frontendEnvironment.contains { $0.hasPrefix("REDIS_SLAVE_SERVICE_HOST=") })
        #expect(frontendEnvironment.contains { $0.hasPrefix("REDIS_MASTER_PORT_6379_TCP=tcp://10.254.") })
        // Every app container shares its infra container's network namespace.
        for app in apps {
            #expect(app.hostConfig?.networkMode?.hasPrefix("container:") == true)
            #expect(app.labels["io.kubernetes.container.restartCount"] == "0")
        }
    }

    @Test("the resource-limits manifest gives the container Memory 524288000 and CpuShares 512")
    func resourceLimitsReachDocker() async throws {
        let fixture = try AgentFixture("limits")
        defer { Task { await fixture.tearDown() } }
        try fixture.copyGuestbook(["redis-master-controller-with-resource-limits.json"])
        try await eventually("the redis master running", timeout: .seconds(30)) {
            try await fixture.docker.runningApps(node: fixture.node).count == 1
        }
        let master = try #require(try await fixture.docker.runningApps(node: fixture.node).first)
        #expect(master.hostConfig?.memory == 524_288_000)
        #expect(master.hostConfig?.memorySwap == 524_288_000)
        #expect(master.hostConfig?.cpuShares == 512)
        #expect(master.hostConfig?.cpuQuota == 50_000)
        #expect(master.hostConfig?.cpuPeriod == 100_000)
    }

    @Test("a container killed from outside comes back with restartCount 1, then 2 after a 10 s back-off")
    func killedContainerRestartsWithBackOff() async throws {
        let fixture = try AgentFixture("restart")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(busyboxPod(name: "crashy"), as: "crashy.json")
        try await eventually("the pod running") { try await fixture.docker.runningApps(node: fixture.node).count == 1 }

        let first = try #require(try await fixture.docker.runningApps(node: fixture.node).first)
        try await fixture.docker.client.killContainer(id: first.id, signal: "KILL")
        let firstRestart = try await eventually("restartCount 1", timeout: .seconds(10)) {
            try await fixture.docker.runningApps(node: fixture.node).first?.labels["io.kubernetes.container.restartCount"] == "1"
        }
        #expect(firstRestart < .seconds(5), "the first restart is immediate")

        let second = try #require(try await fixture.docker.runningApps(node: fixture.node).first)
        try await fixture.docker.client.killContainer(id: second.id, signal: "KILL")
        let secondRestart = try await eventually("restartCount 2", timeout: .seconds(25)) {
            try await fixture.docker.runningApps(node: fixture.node).first?.labels["io.kubernetes.container.restartCount"] == "2"
        }
        #expect(secondRestart >= .seconds(8), "the second restart waits for the back-off")
        #expect(fixture.agent.log.contains("CrashLoopBackOff"))
        // Dead instances beyond the newest are garbage-collected.
        try await eventually("one dead instance kept") {
            let all = try await fixture.docker.containers(node: fixture.node).filter { $0.labels["io.kubernetes.docker.type"] == "container" }
            return all.count == 2
        }
    }

    @Test("a pod with restartPolicy Never is not restarted when its container is killed")
    func neverPodStaysDown() async throws {
        let fixture = try AgentFixture("never")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(busyboxPod(name: "once", restartPolicy: "Never"), as: "once.json")
        try await eventually("the pod running") { try await fixture.docker.runningApps(node: fixture.node).count == 1 }
        let app = try #require(try await fixture.docker.runningApps(node: fixture.node).first)
        try await fixture.docker.client.killContainer(id: app.id, signal: "KILL")
        try await eventually("the agent to see the death") { fixture.agent.log.contains("pod Failed") }
        try await Task.sleep(for: .seconds(3))
        let apps = try await fixture.docker.containers(node: fixture.node).filter { $0.labels["io.kubernetes.docker.type"] == "container" }
        #expect(apps.count == 1)
        #expect(apps.first?.state.running == false)
    }

    @Test("an agent killed with SIGKILL and started again keeps every container it had")
    func restartedAgentAdoptsContainers() async throws {
        let fixture = try AgentFixture("adopt")
        defer { Task { await fixture.tearDown() } }
        try fixture.copyGuestbook(["redis-master-controller.json", "redis-master-service.json"])
        try fixture.write(busyboxPod(name: "steady"), as: "steady.json")
        try await eventually("both pods running") { try await fixture.docker.runningApps(node: fixture.node).count == 2 }
        let before = Set(try await fixture.docker.containers(node: fixture.node).map(\.id))

        fixture.agent.stop(signal: SIGKILL)
        // Docker may show both containers running before the first agent logged both pods: count
        // only what the restarted agent writes.
        let logBefore = fixture.agent.log.utf8.count
        fixture.agent = try AgentProcess(restarting: fixture.agent)
        // Wait for the new agent to have synced both pods at least once.
        try await eventually("the restarted agent to report both pods") {
            String(decoding: fixture.agent.log.utf8.dropFirst(logBefore), as: UTF8.self).components(separatedBy: "pod Running").count - 1
                >= 2
        }
        try await Task.sleep(for: .seconds(2))
        let after = try await fixture.docker.containers(node: fixture.node)
        #expect(Set(after.map(\.id)) == before)
        #expect(after.allSatisfy { $0.state.running })
        #expect(after.allSatisfy { $0.labels["io.kubernetes.container.restartCount"] == "0" })
    }

    @Test("SIGTERM stops the agent within five seconds and leaves its pods running")
    func sigtermLeavesPodsRunning() async throws {
        let fixture = try AgentFixture("sigterm")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(busyboxPod(name: "survivor"), as: "survivor.json")
        try await eventually("the pod running") { try await fixture.docker.runningApps(node: fixture.node).count == 1 }
        let started = ContinuousClock.now
        fixture.agent.stop(signal: SIGTERM)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(fixture.agent.log.contains("clc-node stopped; pods keep running"))
        #expect(try await fixture.docker.runningApps(node: fixture.node).count == 1)
    }

    @Test("removing a manifest stops its containers within the grace period and removes them")
    func removedManifestStopsPod() async throws {
        let fixture = try AgentFixture("remove")
        defer { Task { await fixture.tearDown() } }
        // The container ignores SIGTERM, so only the grace period (3 s) ends it.
        try fixture.write(busyboxPod(name: "leaving", script: "trap '' TERM; while true; do sleep 1; done", grace: 3), as: "leaving.json")
        try fixture.write(busyboxPod(name: "staying"), as: "staying.json")
        try await eventually("both pods running") { try await fixture.docker.runningApps(node: fixture.node).count == 2 }

        try FileManager.default.removeItem(atPath: fixture.manifests + "/leaving.json")
        let gone = try await eventually("the removed pod's containers gone", timeout: .seconds(15)) {
            try await fixture.docker.containers(node: fixture.node).allSatisfy { $0.labels["io.kubernetes.pod.name"] != "leaving-\(fixture.node)" }
        }
        #expect(gone < .seconds(3 + 5), "stopped within the grace period plus the removal, with room for a loaded machine")
        #expect(gone >= .seconds(2), "the container was given its grace period")
        let remaining = try await fixture.docker.runningApps(node: fixture.node)
        #expect(remaining.map { $0.labels["io.kubernetes.pod.name"] } == ["staying-\(fixture.node)"])
    }

    @Test("bad manifests, quantities, images and commands are reported and the agent keeps running the rest")
    func badInputDoesNotStopTheAgent() async throws {
        let fixture = try AgentFixture("bad")
        defer { Task { await fixture.tearDown() } }
        try fixture.write("{\"kind\": \"Pod\", \"metadata\": {\"name\": ", as: "broken.json")
        try fixture.write(
            busyboxPod(name: "badquantity", extraContainerJSON: ", \"resources\": {\"limits\": {\"memory\": \"12Qi\"}}"),
            as: "badquantity.json")
        try fixture.write(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "noimage"},
             "spec": {"containers": [{"name": "app", "image": "example.invalid/no-such-image"}]}}
            """, as: "noimage.json")
        try fixture.write(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nocommand"},
             "spec": {"containers": [{"name": "app", "image": "clc-test/busybox:latest", "command": ["/no/such/binary"]}]}}
            """, as: "nocommand.json")
        try fixture.write(busyboxPod(name: "good"), as: "good.json")

        try await eventually("the good pod running") {
            try await fixture.docker.runningApps(node: fixture.node).map { $0.labels["io.kubernetes.pod.name"] } == ["good-\(fixture.node)"]
        }
        try await eventually("every problem reported", timeout: .seconds(30)) {
            let log = fixture.agent.log
            return log.contains("broken.json") && log.contains("spec.containers[0].resources.limits.memory")
                && log.contains("CreateContainerConfigError") && log.contains("ErrImagePull")
                && log.contains("ImagePullBackOff") && log.contains("RunContainerError")
        }
        #expect(fixture.agent.isRunning)
        let log = fixture.agent.log
        #expect(log.contains("12Qi"))
        #expect(log.contains("no-such-image"))
        #expect(log.contains("/no/such/binary"))
    }
}
