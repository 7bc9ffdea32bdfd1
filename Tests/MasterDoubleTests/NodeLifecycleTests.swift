import Foundation
import KubeAPI
import MasterDouble
import Testing

/// The node lifecycle controller with kube-controller-manager's defaults (checks every 5 s, 40 s
/// grace, 60 s for a node that never posted), on a manual clock and with the controllers run only
/// when the test says: each test moves the master's clock a monitor period at a time and runs
/// them, so the grace period is exact and no test waits for anything that should not happen.
@Suite("Node lifecycle controller")
struct NodeLifecycleTests {
    static let strategic = "application/strategic-merge-patch+json"
    static let leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"

    /// A double on a manual clock with the controller's default settings.
    static func fixture() throws -> (Fixture, ManualWallClock) {
        let clock = ManualWallClock()
        let fixture = try Fixture(clock: clock)
        #expect(fixture.master.nodeLifecycle == NodeLifecycleSettings())
        return (fixture, clock)
    }

    /// Moves the master's clock by `duration`, one monitor period (5 s) at a time, running the
    /// controllers after each step as their loop would.
    static func pass(_ duration: Duration, on fixture: Fixture, _ clock: ManualWallClock) {
        var left = duration
        while left > .zero {
            let step = min(left, .seconds(5))
            clock.advance(by: step)
            fixture.master.runControllers()
            left -= step
        }
    }

    static func ready(_ fixture: Fixture, _ node: String = "node-a") -> String? {
        condition(fixture.master.node(node), "Ready")?["status"]?.stringValue
    }

    /// A Lease of the node renewed at `renewTime`.
    static func lease(renewed renewTime: Date) -> JSONValue {
        [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "node-a", "namespace": "kube-node-lease"],
            "spec": ["holderIdentity": "node-a", "leaseDurationSeconds": 40, "renewTime": .string(KubeTime.formatMicroForTest(renewTime))],
        ]
    }

    /// The node's heartbeat as the agent sends it: a strategic merge patch of the status with
    /// the four conditions, heartbeat now.
    static func heartbeat(
        _ fixture: Fixture, node: String, transition: String = "2026-12-03T10:00:00Z", at time: Date
    ) async throws -> Int {
        let now = KubeTime.format(time)
        func condition(_ type: String, _ status: String, _ reason: String) -> JSONValue {
            [
                "type": .string(type), "status": .string(status), "reason": .string(reason), "message": "posted by the test",
                "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(transition),
            ]
        }
        let patch: JSONValue = [
            "status": [
                "conditions": [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure"),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID"), condition("Ready", "True", "KubeletReady"),
                ]
            ]
        ]
        return try await fixture.client.send("PATCH", "/api/v1/nodes/\(node)/status", patch, contentType: strategic).status
    }

    /// A pod bound to the node, Running and Ready as its agent reported.
    static func readyPod(_ fixture: Fixture, _ name: String, node: String) throws {
        try fixture.master.create(Objects.pod(name, node: node))
        try fixture.master.patchPodStatus(
            name: name,
            [
                "phase": "Running",
                "conditions": [
                    ["type": "Ready", "status": "True", "lastTransitionTime": "2026-12-03T10:00:05Z"],
                    ["type": "ContainersReady", "status": "True", "lastTransitionTime": "2026-12-03T10:00:05Z"],
                ],
                "containerStatuses": [["name": "web", "ready": true, "restartCount": 0, "image": "nginx:1.19", "imageID": ""]],
            ])
    }

    static func condition(_ object: JSONValue?, _ type: String) -> JSONValue? {
        object?[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    @Test(
        "a node silent past the grace period goes Unknown, its pods' Ready goes False by a PUT the watch sees, with NodeNotReady events; a heartbeat makes it Ready again"
    )
    func silentNode() async throws {
        let (fixture, clock) = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        try Self.readyPod(fixture, "a", node: "node-a")
        try Self.readyPod(fixture, "elsewhere", node: "node-b")
        #expect(try await Self.heartbeat(fixture, node: "node-a", at: clock.now) == 200)
        fixture.master.runControllers()
        let heartbeat = try #require(Self.condition(fixture.master.node("node-a"), "Ready")?["lastHeartbeatTime"])
        let before = try #require(fixture.master.object(kind: "Pod", name: "a"))
        let watch = fixture.client.watch(
            "/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dnode-a&resourceVersion=\(fixture.master.resourceVersion)")
        defer { watch.cancel() }

        Self.pass(.seconds(40), on: fixture, clock)
        #expect(Self.ready(fixture) == "True", "40 s of silence is the grace period, not past it")
        Self.pass(.seconds(5), on: fixture, clock)
        #expect(Self.ready(fixture) == "Unknown", "the first check past the grace period")
        let node = fixture.master.node("node-a")
        for type in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
            let condition = try #require(Self.condition(node, type))
            #expect(condition["status"] == "Unknown", "\(type)")
            #expect(condition["reason"] == "NodeStatusUnknown", "\(type)")
            #expect(condition["message"] == "Kubelet stopped posting node status.", "\(type)")
            #expect(condition["lastHeartbeatTime"] == heartbeat, "\(type): the last heartbeat is kept")
            #expect(condition["lastTransitionTime"] == .string(KubeTime.format(clock.now)), "\(type): the transition is now")
        }

        let pod = try #require(fixture.master.object(kind: "Pod", name: "a"))
        #expect(Self.condition(pod, "Ready")?["status"] == "False")
        #expect(pod[path: ["metadata", "resourceVersion"]] != before[path: ["metadata", "resourceVersion"]])
        #expect(Self.condition(pod, "Ready")?["lastTransitionTime"] == .string(KubeTime.format(clock.now)))
        #expect(Self.condition(pod, "ContainersReady")?["status"] == "True", "the real controller leaves ContainersReady alone")
        #expect(pod[path: ["status", "containerStatuses"]] == before[path: ["status", "containerStatuses"]])
        #expect(Self.condition(fixture.master.object(kind: "Pod", name: "elsewhere"), "Ready")?["status"] == "True")

        let events = await watch.waitForEvents(1)
        #expect(events.first?["type"] == "MODIFIED")
        #expect(Self.condition(events.first?["object"], "Ready")?["status"] == "False")
        let posted = fixture.master.events(namespace: "default")
        let podEvent = try #require(posted.first { $0[path: ["involvedObject", "kind"]] == "Pod" })
        #expect(podEvent["type"] == "Warning")
        #expect(podEvent["reason"] == "NodeNotReady")
        #expect(podEvent["message"] == "Node is not ready")
        #expect(podEvent[path: ["involvedObject", "uid"]] == before[path: ["metadata", "uid"]])
        #expect(podEvent[path: ["source", "component"]] == "node-controller")
        #expect(posted.contains {
            $0[path: ["involvedObject", "kind"]] == "Node" && $0["reason"] == "NodeNotReady" && $0["type"] == "Normal"
        })
        #expect(posted.count == 2, "one event per pod of the node and one for the node")

        // The heartbeat comes back: the node is Ready from the agent's patch and stays so; the
        // controller does not touch the pods again, that is the node agent's job.
        #expect(try await Self.heartbeat(fixture, node: "node-a", at: clock.now) == 200)
        #expect(Self.ready(fixture) == "True")
        Self.pass(.seconds(40), on: fixture, clock)
        #expect(Self.ready(fixture) == "True")
        #expect(Self.condition(fixture.master.object(kind: "Pod", name: "a"), "Ready")?["status"] == "False")
        #expect(fixture.master.events(namespace: "default").count == 2, "no second round of events")
    }

    @Test("the issue's variant also sets ContainersReady False")
    func containersReadyToo() async throws {
        let (fixture, clock) = try Self.fixture()
        fixture.master.nodeLifecycle.marksContainersNotReady = true
        try fixture.master.create(Objects.node("node-a"))
        try Self.readyPod(fixture, "a", node: "node-a")
        #expect(try await Self.heartbeat(fixture, node: "node-a", at: clock.now) == 200)
        fixture.master.runControllers()
        Self.pass(.seconds(45), on: fixture, clock)
        #expect(Self.condition(fixture.master.object(kind: "Pod", name: "a"), "ContainersReady")?["status"] == "False")
        #expect(Self.condition(fixture.master.object(kind: "Pod", name: "a"), "Ready")?["status"] == "False")
    }

    @Test("a node whose Lease is renewed stays Ready though its status heartbeat is old, and goes Unknown at the first check past the grace period once the renewals stop")
    func leaseKeepsNodeAlive() async throws {
        let (fixture, clock) = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        #expect(try await Self.heartbeat(fixture, node: "node-a", at: clock.now) == 200)
        #expect(try await fixture.client.send("POST", Self.leases, Self.lease(renewed: clock.now)).status == 201)
        fixture.master.runControllers()
        for _ in 0..<20 {
            #expect(try await fixture.client.send("PUT", "\(Self.leases)/node-a", Self.lease(renewed: clock.now)).status == 200)
            Self.pass(.seconds(5), on: fixture, clock)
        }
        #expect(Self.ready(fixture) == "True", "100 s without a status heartbeat, the Lease renewed every 5 s")
        Self.pass(.seconds(40), on: fixture, clock)
        #expect(Self.ready(fixture) == "True")
        Self.pass(.seconds(5), on: fixture, clock)
        #expect(Self.ready(fixture) == "Unknown")
    }

    @Test(
        "a node whose clock is an hour behind stays Ready while it posts: its own timestamps are never compared with the controller's clock"
    )
    func nodeClockAnHourBehind() async throws {
        let (fixture, clock) = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        for _ in 0..<20 {
            #expect(try await Self.heartbeat(fixture, node: "node-a", at: clock.now.addingTimeInterval(-3600)) == 200)
            Self.pass(.seconds(5), on: fixture, clock)
        }
        #expect(Self.ready(fixture) == "True", "100 s of heartbeats an hour old")
    }

    @Test("a Lease whose renewTime goes back (the node's clock stepped back) is not a renewal")
    func leaseGoingBackIsNoRenewal() async throws {
        let (fixture, clock) = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        #expect(try await Self.heartbeat(fixture, node: "node-a", at: clock.now) == 200)
        var renewTime = clock.now
        #expect(try await fixture.client.send("POST", Self.leases, Self.lease(renewed: renewTime)).status == 201)
        fixture.master.runControllers()
        var silence: Duration = .zero
        while silence < .seconds(60), Self.ready(fixture) == "True" {
            renewTime = renewTime.addingTimeInterval(-1)
            #expect(try await fixture.client.send("PUT", "\(Self.leases)/node-a", Self.lease(renewed: renewTime)).status == 200)
            Self.pass(.seconds(5), on: fixture, clock)
            silence += .seconds(5)
        }
        #expect(Self.ready(fixture) == "Unknown", "renewals going back kept the node alive")
        #expect(silence == .seconds(45), "the grace period counts from the last real heartbeat")
    }

    @Test("a node that never posted its status goes Unknown with NodeStatusNeverUpdated after the startup grace period")
    func neverPosted() async throws {
        let (fixture, clock) = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        try Self.readyPod(fixture, "a", node: "node-a")
        let created = fixture.master.node("node-a")?[path: ["metadata", "creationTimestamp"]]
        fixture.master.runControllers()
        Self.pass(.seconds(60), on: fixture, clock)
        #expect(Self.condition(fixture.master.node("node-a"), "Ready") == nil, "60 s is the startup grace period, not past it")
        Self.pass(.seconds(5), on: fixture, clock)
        for type in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
            let condition = try #require(Self.condition(fixture.master.node("node-a"), type))
            #expect(condition["status"] == "Unknown")
            #expect(condition["reason"] == "NodeStatusNeverUpdated")
            #expect(condition["message"] == "Kubelet never posted node status.")
            #expect(condition["lastHeartbeatTime"] == created)
        }
        #expect(Self.condition(fixture.master.object(kind: "Pod", name: "a"), "Ready")?["status"] == "True", "Ready was never True")
    }

    @Test("switched off, the controller leaves a silent node alone")
    func disabled() async throws {
        let (fixture, clock) = try Self.fixture()
        fixture.master.nodeLifecycle.enabled = false
        try fixture.master.create(Objects.node("node-a"))
        #expect(try await Self.heartbeat(fixture, node: "node-a", at: clock.now) == 200)
        Self.pass(.seconds(120), on: fixture, clock)
        #expect(Self.ready(fixture) == "True")
    }
}

extension KubeTime {
    /// MicroTime as a Lease's renewTime wants it.
    static func formatMicroForTest(_ date: Date) -> String {
        let micro = Int((date.timeIntervalSince1970 - floor(date.timeIntervalSince1970)) * 1_000_000)
        return format(date).replacingOccurrences(of: "Z", with: String(format: ".%06dZ", micro))
    }
}
