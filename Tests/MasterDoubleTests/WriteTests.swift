import Foundation
import MasterDouble
import Testing

@Suite("Writes: conflicts, patches, graceful deletion")
struct WriteTests {
    @Test("PUT of a status with a stale resourceVersion is 409 Conflict")
    func stalePutConflicts() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        var stale = try await fixture.client.get("/api/v1/namespaces/default/pods/a").body
        _ = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/a/status", ["status": ["phase": "Running"]],
            contentType: "application/strategic-merge-patch+json")
        stale[path: ["status", "phase"]] = "Failed"
        let answer = try await fixture.client.send("PUT", "/api/v1/namespaces/default/pods/a/status", stale)
        #expect(answer.status == 409)
        #expect(answer.body["kind"] == "Status")
        #expect(answer.body["reason"] == "Conflict")
        #expect(answer.body["code"] == 409)
        #expect(answer.body["message"] == .string(
            "Operation cannot be fulfilled on pods \"a\": the object has been modified; please apply your changes to the latest version and try again"))

        // With the current resourceVersion the same PUT goes through and only the status changes.
        var current = try await fixture.client.get("/api/v1/namespaces/default/pods/a").body
        current[path: ["status", "phase"]] = "Failed"
        current[path: ["spec", "nodeName"]] = "elsewhere"
        let accepted = try await fixture.client.send("PUT", "/api/v1/namespaces/default/pods/a/status", current)
        #expect(accepted.status == 200)
        #expect(accepted.body[path: ["status", "phase"]] == "Failed")
        #expect(accepted.body[path: ["spec", "nodeName"]] == "node-a")
    }

    @Test("a strategic merge patch of status merges conditions by type and replaces containerStatuses whole")
    func strategicMergeOfStatus() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        let first: JSONValue = [
            "status": [
                "conditions": [["type": "PodScheduled", "status": "True"], ["type": "Ready", "status": "False"]],
                "containerStatuses": [["name": "web", "ready": false, "restartCount": 0], ["name": "sidecar", "ready": true, "restartCount": 0]],
            ]
        ]
        let strategic = "application/strategic-merge-patch+json"
        _ = try await fixture.client.send("PATCH", "/api/v1/namespaces/default/pods/a/status", first, contentType: strategic)
        let second: JSONValue = [
            "metadata": ["uid": .string(try #require(fixture.master.object(kind: "Pod", name: "a")?[path: ["metadata", "uid"]]?.stringValue))],
            "status": [
                "$setElementOrder/conditions": [["type": "PodScheduled"], ["type": "Ready"], ["type": "ContainersReady"]],
                "conditions": [["type": "Ready", "status": "True"], ["type": "ContainersReady", "status": "True"]],
                "containerStatuses": [["name": "web", "ready": true, "restartCount": 1]],
            ],
        ]
        let answer = try await fixture.client.send("PATCH", "/api/v1/namespaces/default/pods/a/status", second, contentType: strategic)
        #expect(answer.status == 200)
        #expect(answer.body["kind"] == "Pod")
        #expect(answer.body[path: ["status", "conditions"]] == [
            ["type": "PodScheduled", "status": "True"], ["type": "Ready", "status": "True"],
            ["type": "ContainersReady", "status": "True"],
        ])
        // ContainerStatuses has no patchStrategy in k8s.io/api: the list in the patch replaces it.
        #expect(answer.body[path: ["status", "containerStatuses"]] == [["name": "web", "ready": true, "restartCount": 1]])
        #expect(answer.body[path: ["status", "qosClass"]] == "BestEffort")

        // A JSON merge patch replaces lists whole.
        let merge = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/a/status", ["status": ["conditions": [["type": "Ready", "status": "False"]]]],
            contentType: "application/merge-patch+json")
        #expect(merge.body[path: ["status", "conditions"]] == [["type": "Ready", "status": "False"]])
    }

    @Test("a status patch for a pod with another uid is 422 Invalid, and an unknown patch type 415")
    func patchWithStaleUID() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        let answer = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/a/status", ["metadata": ["uid": "not-this-pod"], "status": ["phase": "Running"]],
            contentType: "application/strategic-merge-patch+json")
        #expect(answer.status == 422)
        #expect(answer.body["reason"] == "Invalid")
        let unsupported = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/a/status", ["status": ["phase": "Running"]], contentType: "application/json")
        #expect(unsupported.status == 415)
    }

    @Test("POST of an existing node is 409 AlreadyExists")
    func existingNodeConflicts() async throws {
        let fixture = try Fixture()
        let first = try await fixture.client.send("POST", "/api/v1/nodes", Objects.node("node-a"))
        #expect(first.status == 201)
        #expect(first.body[path: ["metadata", "namespace"]] == nil)
        let second = try await fixture.client.send("POST", "/api/v1/nodes", Objects.node("node-a"))
        #expect(second.status == 409)
        #expect(second.body["reason"] == "AlreadyExists")
        #expect(second.body["message"] == "nodes \"node-a\" already exists")
        #expect(second.body["details"] == ["name": "node-a", "kind": "nodes"])
        let missing = try await fixture.client.get("/api/v1/nodes/node-z")
        #expect(missing.status == 404)
        #expect(missing.body["message"] == "nodes \"node-z\" not found")
    }

    @Test("a DELETE marks a bound pod for deletion; grace 0 with its uid removes it; another uid is 409")
    func gracefulDeletion() async throws {
        let fixture = try Fixture()
        let created = try fixture.master.create(Objects.pod("a", node: "node-a"))
        let uid = try #require(created[path: ["metadata", "uid"]]?.stringValue)

        let marked = try await fixture.client.send("DELETE", "/api/v1/namespaces/default/pods/a")
        #expect(marked.status == 200)
        #expect(marked.body["kind"] == "Pod")
        #expect(marked.body[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)
        let stamp = try #require(marked.body[path: ["metadata", "deletionTimestamp"]]?.stringValue)
        #expect(stamp > (created[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""))
        #expect(try await fixture.client.get("/api/v1/namespaces/default/pods/a").status == 200)

        let wrong = try await fixture.client.send(
            "DELETE", "/api/v1/namespaces/default/pods/a", ["gracePeriodSeconds": 0, "preconditions": ["uid": "someone-else"]])
        #expect(wrong.status == 409)
        #expect(wrong.body["reason"] == "Conflict")
        #expect(fixture.master.object(kind: "Pod", name: "a") != nil)

        let confirmed = try await fixture.client.send(
            "DELETE", "/api/v1/namespaces/default/pods/a", ["gracePeriodSeconds": 0, "preconditions": ["uid": .string(uid)]])
        #expect(confirmed.status == 200)
        #expect(try await fixture.client.get("/api/v1/namespaces/default/pods/a").status == 404)
    }

    @Test("a pod that no node was assigned to is deleted at once")
    func unscheduledPodGoesAtOnce() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a"))
        let answer = try await fixture.client.send("DELETE", "/api/v1/namespaces/default/pods/a")
        #expect(answer.status == 200)
        #expect(fixture.master.object(kind: "Pod", name: "a") == nil)
    }

    @Test("a created pod is defaulted as the API server does and keeps fields KubeAPI does not model")
    func podDefaulting() async throws {
        let fixture = try Fixture()
        var pod = Objects.pod("a", node: "node-a")
        pod[path: ["spec", "containers"]] = [["name": "web", "image": "nginx", "stdinOnce": true]]
        pod[path: ["metadata", "namespace"]] = nil
        let created = try await fixture.client.send("POST", "/api/v1/namespaces/default/pods", pod).body
        #expect(created[path: ["metadata", "namespace"]] == "default")
        #expect(created[path: ["spec", "restartPolicy"]] == "Always")
        #expect(created[path: ["spec", "terminationGracePeriodSeconds"]] == 30)
        #expect(created[path: ["spec", "dnsPolicy"]] == "ClusterFirst")
        #expect(created[path: ["spec", "schedulerName"]] == "default-scheduler")
        #expect(created["spec"]?["containers"]?.arrayValue?.first?["imagePullPolicy"] == "Always")
        #expect(created["spec"]?["containers"]?.arrayValue?.first?["stdinOnce"] == true)
        #expect(created[path: ["status", "phase"]] == "Pending")
        #expect(created[path: ["metadata", "generation"]] == 1)

        let invalid = try await fixture.client.send("POST", "/api/v1/namespaces/default/pods", Objects.pod("Bad_Name"))
        #expect(invalid.status == 422)
        #expect(invalid.body["reason"] == "Invalid")
        let generated = try await fixture.client.send(
            "POST", "/api/v1/namespaces/default/pods",
            ["metadata": ["generateName": "web-"], "spec": ["containers": [["name": "c", "image": "busybox"]]]])
        let name = try #require(generated.body[path: ["metadata", "name"]]?.stringValue)
        #expect(name.hasPrefix("web-") && name.count == 9)
        #expect(name.dropFirst(4).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }

    @Test("a strategic merge patch of node status deletes with $patch: delete and orders with $setElementOrder")
    func nodeStatusDirectives() async throws {
        let fixture = try Fixture()
        var node = Objects.node("node-a")
        node["status"] = [
            "addresses": [["type": "InternalIP", "address": "10.0.0.5"], ["type": "Hostname", "address": "node-a"]],
            "conditions": [["type": "Ready", "status": "False"], ["type": "MemoryPressure", "status": "False"]],
        ]
        #expect(try await fixture.client.send("POST", "/api/v1/nodes", node).body[path: ["status", "addresses"]] != nil)
        let patch: JSONValue = [
            "status": [
                "$setElementOrder/addresses": [["type": "Hostname"], ["type": "InternalIP"]],
                "addresses": [["type": "InternalIP", "address": "10.0.0.6"]],
                "conditions": [["type": "MemoryPressure", "$patch": "delete"], ["type": "Ready", "status": "True"]],
            ]
        ]
        let answer = try await fixture.client.send(
            "PATCH", "/api/v1/nodes/node-a/status", patch, contentType: "application/strategic-merge-patch+json")
        #expect(answer.status == 200)
        #expect(answer.body[path: ["status", "addresses"]] == [
            ["type": "Hostname", "address": "node-a"], ["type": "InternalIP", "address": "10.0.0.6"],
        ])
        #expect(answer.body[path: ["status", "conditions"]] == [["type": "Ready", "status": "True"]])

        // Writing the same status again changes nothing: no new resourceVersion.
        let version = fixture.master.resourceVersion
        _ = try await fixture.client.send(
            "PATCH", "/api/v1/nodes/node-a/status", patch, contentType: "application/strategic-merge-patch+json")
        #expect(fixture.master.resourceVersion == version)
    }
}
