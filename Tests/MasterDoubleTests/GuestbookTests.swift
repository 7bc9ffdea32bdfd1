import Foundation
import KubeAPI
import MasterDouble
import Testing

@Suite("The guestbook's redis master through the controllers")
struct GuestbookTests {
    @Test("the redis-master RC and service make one pod on the node, replace it when deleted, and list its ready address")
    func redisMaster() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        #expect(try await fixture.client.send("POST", "/api/v1/nodes", Objects.node("node-a")).status == 201)
        try master.apply(Guestbook.manifest("redis-master-controller.json"))
        try master.apply(Guestbook.manifest("redis-master-service.json"))

        let service = try #require(master.object(kind: "Service", name: "redis-master"))
        #expect(service[path: ["spec", "clusterIP"]]?.stringValue?.hasPrefix("10.254.") == true)
        #expect(service[path: ["spec", "type"]] == "ClusterIP")

        #expect(await master.waitUntil { $0.pods().count == 1 && $0.pods().first?.spec.nodeName == "node-a" })
        let first = try #require(master.pods().first)
        #expect(first.metadata.name?.hasPrefix("redis-master-") == true)
        #expect(first.metadata.labels == ["name": "redis-master"])
        #expect(first.metadata.ownerReferences?.first?.kind == "ReplicationController")
        #expect(first.metadata.ownerReferences?.first?.controller == true)
        #expect(first.spec.containers.first?.imagePullPolicy == "Always")

        // kubectl delete pod: graceful; the RC replaces it at once, since a terminating pod does not count.
        let firstName = try #require(first.metadata.name)
        try master.deletePod(name: firstName)
        #expect(await master.waitUntil { master in
            master.pods().filter { $0.metadata.deletionTimestamp == nil }.count == 1
                && master.pods().count == 2 && master.pods().allSatisfy { $0.spec.nodeName == "node-a" }
        })
        let replacement = try #require(master.pods().first { $0.metadata.deletionTimestamp == nil })
        #expect(replacement.metadata.name != firstName)

        // The node confirms the deletion once the containers are gone.
        let confirm = try await fixture.client.send(
            "DELETE", "/api/v1/namespaces/default/pods/\(firstName)",
            ["gracePeriodSeconds": 0, "preconditions": ["uid": .string(first.metadata.uid ?? "")]])
        #expect(confirm.status == 200)

        // The node reports the replacement running and ready.
        let replacementName = try #require(replacement.metadata.name)
        let patched = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/\(replacementName)/status",
            ["status": [
                "phase": "Running", "podIP": "172.17.0.9", "hostIP": "10.0.0.5",
                "conditions": [["type": "Ready", "status": "True"], ["type": "ContainersReady", "status": "True"]],
            ]],
            contentType: "application/strategic-merge-patch+json")
        #expect(patched.status == 200)
        #expect(await master.waitUntil { $0.endpoints(name: "redis-master")?.subsets?.first?.addresses?.isEmpty == false })
        let endpoints = try #require(master.endpoints(name: "redis-master"))
        #expect(endpoints.subsets?.count == 1)
        #expect(endpoints.subsets?.first?.addresses?.map(\.ip) == ["172.17.0.9"])
        #expect(endpoints.subsets?.first?.addresses?.first?.nodeName == "node-a")
        #expect(endpoints.subsets?.first?.addresses?.first?.targetRef?.name == replacementName)
        #expect(endpoints.subsets?.first?.ports?.map(\.port) == [6379])
        #expect(endpoints.subsets?.first?.notReadyAddresses == nil)

        #expect(await master.waitUntil {
            $0.object(kind: "ReplicationController", name: "redis-master")?[path: ["status", "readyReplicas"]] == 1
        })
    }

    @Test("a pod with an IP that is not ready is listed among notReadyAddresses, and scaling down deletes a pod")
    func notReadyAndScale() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        try master.create(Objects.node("node-a"))
        try master.apply(Guestbook.manifest("frontend-controller.json"))
        try master.apply(Guestbook.manifest("frontend-service.json"))
        #expect(await master.waitUntil { $0.pods().count == 3 })
        let frontend = try #require(master.object(kind: "Service", name: "frontend"))
        #expect(frontend[path: ["spec", "ports"]]?.arrayValue?.first?["nodePort"] == 30001)

        let pod = try #require(master.pods().first?.metadata.name)
        try master.patchPodStatus(name: pod, ["podIP": "172.17.0.3", "phase": "Running"])
        #expect(await master.waitUntil { $0.endpoints(name: "frontend")?.subsets?.first?.notReadyAddresses?.count == 1 })
        #expect(master.endpoints(name: "frontend")?.subsets?.first?.addresses == nil)

        try master.scale(replicationController: "frontend", replicas: 1)
        #expect(await master.waitUntil { $0.pods().filter { $0.metadata.deletionTimestamp == nil }.count == 1 })
        // The running pod is kept over the pending ones.
        #expect(master.pods().first { $0.metadata.deletionTimestamp == nil }?.metadata.name == pod)
    }
}
