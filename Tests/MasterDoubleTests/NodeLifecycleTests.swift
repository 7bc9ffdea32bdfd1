import Foundation
import KubeAPI
import MasterDouble
import Testing

/// The node lifecycle controller, with a grace period of seconds instead of 40.
@Suite("Node lifecycle controller")
struct NodeLifecycleTests {
    static let strategic = "application/strategic-merge-patch+json"

    /// A double whose controller checks every 200 ms with a 5 s grace period (long enough that a
    /// loaded machine delays no heartbeat past it by accident).
    static func fixture(startupGrace: Duration = .seconds(60)) throws -> Fixture {
        let fixture = try Fixture()
        fixture.master.nodeLifecycle = NodeLifecycleSettings(
            monitorPeriod: .milliseconds(200), gracePeriod: .seconds(5), startupGracePeriod: startupGrace)
        return fixture
    }

    /// The node's heartbeat as the agent sends it: a strategic merge patch of the status with
    /// the four conditions, heartbeat now.
    static func heartbeat(
        _ fixture: Fixture, node: String, transition: String = "2026-12-03T10:00:00Z", at time: Date = Date()
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
        let fixture = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        // The pods exist before the heartbeat: a pod bound to a node already gone Unknown is not
        // marked (as in the real controller), and a loaded machine could get there first.
        try Self.readyPod(fixture, "a", node: "node-a")
        try Self.readyPod(fixture, "elsewhere", node: "node-b")
        #expect(try await Self.heartbeat(fixture, node: "node-a") == 200)
        let heartbeat = try #require(Self.condition(fixture.master.node("node-a"), "Ready")?["lastHeartbeatTime"])
        let before = try #require(fixture.master.object(kind: "Pod", name: "a"))
        let watch = fixture.client.watch(
            "/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dnode-a&resourceVersion=\(fixture.master.resourceVersion)")
        defer { watch.cancel() }

        #expect(await fixture.master.waitUntil(timeout: .seconds(15)) { Self.condition($0.node("node-a"), "Ready")?["status"] == "Unknown" })
        let node = fixture.master.node("node-a")
        for type in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
            let condition = try #require(Self.condition(node, type))
            #expect(condition["status"] == "Unknown", "\(type)")
            #expect(condition["reason"] == "NodeStatusUnknown", "\(type)")
            #expect(condition["message"] == "Kubelet stopped posting node status.", "\(type)")
            #expect(condition["lastHeartbeatTime"] == heartbeat, "\(type): the last heartbeat is kept")
            #expect(condition["lastTransitionTime"] != "2026-12-03T10:00:00Z", "\(type): the transition is now")
        }

        #expect(await fixture.master.waitUntil(timeout: .seconds(10)) { Self.condition($0.object(kind: "Pod", name: "a"), "Ready")?["status"] == "False" })
        let pod = try #require(fixture.master.object(kind: "Pod", name: "a"))
        #expect(pod[path: ["metadata", "resourceVersion"]] != before[path: ["metadata", "resourceVersion"]])
        #expect(Self.condition(pod, "Ready")?["lastTransitionTime"] != "2026-12-03T10:00:05Z")
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
        #expect(try await Self.heartbeat(fixture, node: "node-a") == 200)
        #expect(Self.condition(fixture.master.node("node-a"), "Ready")?["status"] == "True")
        try await Task.sleep(for: .milliseconds(600))
        #expect(Self.condition(fixture.master.node("node-a"), "Ready")?["status"] == "True")
        #expect(Self.condition(fixture.master.object(kind: "Pod", name: "a"), "Ready")?["status"] == "False")
    }

    @Test("the issue's variant also sets ContainersReady False")
    func containersReadyToo() async throws {
        let fixture = try Self.fixture()
        fixture.master.nodeLifecycle.marksContainersNotReady = true
        try fixture.master.create(Objects.node("node-a"))
        try Self.readyPod(fixture, "a", node: "node-a")
        #expect(try await Self.heartbeat(fixture, node: "node-a") == 200)
        #expect(await fixture.master.waitUntil(timeout: .seconds(15)) {
            Self.condition($0.object(kind: "Pod", name: "a"), "ContainersReady")?["status"] == "False"
        })
        #expect(Self.condition(fixture.master.object(kind: "Pod", name: "a"), "Ready")?["status"] == "False")
    }

    @Test("a node whose Lease is renewed stays Ready though its status heartbeat is old, and goes Unknown when the renewals stop")
    func leaseKeepsNodeAlive() async throws {
        let fixture = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        #expect(try await Self.heartbeat(fixture, node: "node-a") == 200)
        let path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
        func lease() -> JSONValue {
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "node-a", "namespace": "kube-node-lease"],
                "spec": ["holderIdentity": "node-a", "leaseDurationSeconds": 40, "renewTime": .string(KubeTime.formatMicroForTest(Date()))],
            ]
        }
        #expect(try await fixture.client.send("POST", path, lease()).status == 201)
        let until = ContinuousClock.now + .seconds(8)
        while ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await fixture.client.send("PUT", "\(path)/node-a", lease()).status == 200)
        }
        #expect(Self.condition(fixture.master.node("node-a"), "Ready")?["status"] == "True", "8 s without a status heartbeat")
        #expect(await fixture.master.waitUntil(timeout: .seconds(15)) { Self.condition($0.node("node-a"), "Ready")?["status"] == "Unknown" })
    }

    @Test(
        "a node whose clock is an hour behind stays Ready while it posts: its own timestamps are never compared with the controller's clock"
    )
    func nodeClockAnHourBehind() async throws {
        let fixture = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        let until = ContinuousClock.now + .seconds(8)
        while ContinuousClock.now < until {
            #expect(try await Self.heartbeat(fixture, node: "node-a", at: Date().addingTimeInterval(-3600)) == 200)
            try await Task.sleep(for: .milliseconds(1100))
        }
        #expect(Self.condition(fixture.master.node("node-a"), "Ready")?["status"] == "True", "8 s of heartbeats an hour old")
    }

    @Test("a Lease whose renewTime goes back (the node's clock stepped back) is not a renewal")
    func leaseGoingBackIsNoRenewal() async throws {
        let fixture = try Self.fixture()
        try fixture.master.create(Objects.node("node-a"))
        #expect(try await Self.heartbeat(fixture, node: "node-a") == 200)
        let path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
        var renewTime = Date()
        func lease() -> JSONValue {
            [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "node-a", "namespace": "kube-node-lease"],
                "spec": ["holderIdentity": "node-a", "leaseDurationSeconds": 40, "renewTime": .string(KubeTime.formatMicroForTest(renewTime))],
            ]
        }
        #expect(try await fixture.client.send("POST", path, lease()).status == 201)
        let started = ContinuousClock.now
        var unknownAfter: Duration?
        while ContinuousClock.now - started < .seconds(15), unknownAfter == nil {
            try await Task.sleep(for: .milliseconds(250))
            renewTime = renewTime.addingTimeInterval(-1)
            #expect(try await fixture.client.send("PUT", "\(path)/node-a", lease()).status == 200)
            if Self.condition(fixture.master.node("node-a"), "Ready")?["status"] == "Unknown" { unknownAfter = ContinuousClock.now - started }
        }
        let after = try #require(unknownAfter, "renewals going back kept the node alive")
        #expect(after >= .seconds(4), "the grace period counts from the last real heartbeat")
    }

    @Test("a node that never posted its status goes Unknown with NodeStatusNeverUpdated after the startup grace period")
    func neverPosted() async throws {
        let fixture = try Self.fixture(startupGrace: .seconds(2))
        try fixture.master.create(Objects.node("node-a"))
        try Self.readyPod(fixture, "a", node: "node-a")
        let created = fixture.master.node("node-a")?[path: ["metadata", "creationTimestamp"]]
        #expect(await fixture.master.waitUntil(timeout: .seconds(15)) { Self.condition($0.node("node-a"), "Ready") != nil })
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
        let fixture = try Self.fixture()
        fixture.master.nodeLifecycle.enabled = false
        try fixture.master.create(Objects.node("node-a"))
        #expect(try await Self.heartbeat(fixture, node: "node-a") == 200)
        try await Task.sleep(for: .seconds(6))
        #expect(Self.condition(fixture.master.node("node-a"), "Ready")?["status"] == "True")
    }
}

extension KubeTime {
    /// MicroTime as a Lease's renewTime wants it.
    static func formatMicroForTest(_ date: Date) -> String {
        let micro = Int((date.timeIntervalSince1970 - floor(date.timeIntervalSince1970)) * 1_000_000)
        return format(date).replacingOccurrences(of: "Z", with: String(format: ".%06dZ", micro))
    }
}
