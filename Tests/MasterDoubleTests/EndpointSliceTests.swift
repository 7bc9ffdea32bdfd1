import Foundation
import KubeAPI
import MasterDouble
import Testing

@Suite("EndpointSlices on the double: its controller, the API and the switch to a master without them")
struct EndpointSliceTests {
    /// The redis-master service and a pod of it on node-a, running with `ip`.
    static func redisWithPod(_ master: MasterDouble, ready: Bool) async throws -> String {
        try master.create(Objects.node("node-a"))
        try master.apply(Guestbook.manifest("redis-master-controller.json"))
        try master.apply(Guestbook.manifest("redis-master-service.json"))
        #expect(await master.waitUntil { $0.pods().count == 1 })
        let pod = try #require(master.pods().first?.metadata.name)
        try master.patchPodStatus(
            name: pod,
            ["phase": "Running", "podIP": "172.17.0.9", "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]])
        return pod
    }

    @Test("the controller writes a slice named after the service, labelled, owned by it, with the pod as a ready endpoint")
    func controllerWritesSlice() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        let pod = try await Self.redisWithPod(master, ready: true)
        #expect(await master.waitUntil { $0.endpointSlices(service: "redis-master").first?.endpoints.count == 1 })
        let slice = try #require(master.endpointSlices(service: "redis-master").first)
        #expect(slice.metadata.name?.hasPrefix("redis-master-") == true)
        #expect(slice.metadata.name?.count == "redis-master-".count + 5)
        #expect(slice.metadata.labels?[EndpointSlice.managedByLabel] == EndpointSlice.controllerName)
        #expect(slice.metadata.labels?["name"] == "redis-master", "the service's own labels are copied")
        #expect(slice.metadata.ownerReferences?.first?.kind == "Service")
        #expect(slice.metadata.ownerReferences?.first?.controller == true)
        #expect(slice.addressType == "IPv4")
        #expect(slice.ports == [EndpointSlicePort(name: "", protocol: "TCP", port: 6379)])
        let endpoint = try #require(slice.endpoints.first)
        #expect(endpoint.addresses == ["172.17.0.9"])
        #expect(endpoint.conditions == EndpointConditions(ready: true, serving: true, terminating: false))
        #expect(endpoint.nodeName == "node-a")
        #expect(endpoint.targetRef?.name == pod)
    }

    @Test("a pod being deleted stays in the slice as serving and terminating, not ready; Endpoints drop it")
    func terminatingPod() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        let pod = try await Self.redisWithPod(master, ready: true)
        #expect(await master.waitUntil { $0.endpointSlices(service: "redis-master").first?.endpoints.count == 1 })
        try master.deletePod(name: pod, gracePeriodSeconds: 30)
        #expect(await master.waitUntil {
            $0.endpointSlices(service: "redis-master").flatMap(\.endpoints).contains {
                $0.targetRef?.name == pod && $0.conditions == EndpointConditions(ready: false, serving: true, terminating: true)
            }
        })
        #expect(master.endpoints(name: "redis-master")?.subsets?.flatMap { $0.addresses ?? [] }.contains { $0.targetRef?.name == pod } != true)
    }

    @Test("a pod that is not ready is an endpoint neither ready nor serving")
    func notReadyPod() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        _ = try await Self.redisWithPod(master, ready: false)
        #expect(await master.waitUntil { $0.endpointSlices(service: "redis-master").first?.endpoints.count == 1 })
        let endpoint = try #require(master.endpointSlices(service: "redis-master").first?.endpoints.first)
        #expect(endpoint.conditions == EndpointConditions(ready: false, serving: false, terminating: false))
    }

    @Test("a service without pods keeps one empty slice, and its slices go with it")
    func emptyAndDeleted() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        try master.apply(Guestbook.manifest("redis-master-service.json"))
        #expect(await master.waitUntil { $0.endpointSlices(service: "redis-master").count == 1 })
        #expect(master.endpointSlices(service: "redis-master").first?.endpoints.isEmpty == true)
        #expect(try await fixture.client.send("DELETE", "/api/v1/namespaces/default/services/redis-master").status == 200)
        #expect(await master.waitUntil { $0.endpointSlices(service: "redis-master").isEmpty })
    }

    @Test("discovery.k8s.io/v1 lists, gets and watches slices, with a label selector on the service name")
    func api() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        #expect(try await fixture.client.get("/apis/discovery.k8s.io/v1").status == 200)
        let groups = try await fixture.client.get("/apis").body["groups"]?.arrayValue ?? []
        #expect(groups.contains { $0["name"] == "discovery.k8s.io" })
        let watch = fixture.client.watch("/apis/discovery.k8s.io/v1/endpointslices?watch=true&resourceVersion=\(master.resourceVersion)")
        defer { watch.cancel() }
        _ = try await Self.redisWithPod(master, ready: true)
        #expect(await master.waitUntil { $0.endpointSlices(service: "redis-master").first?.endpoints.count == 1 })
        let list = try await fixture.client.get(
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dredis-master")
        #expect(list.status == 200)
        #expect(list.body["kind"] == "EndpointSliceList")
        #expect(list.body["apiVersion"] == "discovery.k8s.io/v1")
        let name = try #require(list.body["items"]?.arrayValue?.first?[path: ["metadata", "name"]]?.stringValue)
        let one = try await fixture.client.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/\(name)")
        #expect(one.status == 200)
        #expect(one.body["kind"] == "EndpointSlice")
        let deadline = ContinuousClock.now + .seconds(20)
        // The controller may write the slice before the pod is there (ADDED empty, then
        // MODIFIED) or, on a busy machine, after both writes (ADDED with the endpoint).
        let withEndpoint: @Sendable (JSONValue) -> Bool = {
            $0[path: ["object", "metadata", "name"]]?.stringValue == name
                && $0[path: ["object", "endpoints"]]?.arrayValue?.count == 1
        }
        while !watch.events.contains(where: withEndpoint), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(watch.events.first?["type"] == "ADDED")
        #expect(watch.events.contains(where: withEndpoint), "the slice with its endpoint arrived through the watch: \(watch.types)")
        #expect(try await fixture.client.get("/api/v1/endpointslices").status == 404, "slices are not in the core group")
    }

    @Test("a master of the seed's era serves no discovery.k8s.io: plain 404, not in /apis, no slices written; Endpoints still are")
    func seedEra() async throws {
        let fixture = try Fixture()
        let master = fixture.master
        master.servesEndpointSlices = false
        let answer = try await fixture.client.get("/apis/discovery.k8s.io/v1")
        #expect(answer.status == 404)
        #expect(answer.body == .string("404 page not found\n"))
        #expect(try await fixture.client.get("/apis/discovery.k8s.io/v1/endpointslices").status == 404)
        let groups = try await fixture.client.get("/apis").body["groups"]?.arrayValue ?? []
        #expect(!groups.contains { $0["name"] == "discovery.k8s.io" })
        _ = try await Self.redisWithPod(master, ready: true)
        #expect(await master.waitUntil { $0.endpoints(name: "redis-master")?.subsets?.first?.addresses?.count == 1 })
        #expect(master.endpointSlices(service: "redis-master").isEmpty)
    }

    @Test("a slice with an unknown address type is refused with 422 naming the field")
    func validation() async throws {
        let fixture = try Fixture()
        let answer = try await fixture.client.send(
            "POST", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
            ["metadata": ["name": "handmade"], "addressType": "IPv5", "endpoints": []])
        #expect(answer.status == 422)
        #expect(answer.body["message"]?.stringValue?.contains("addressType: Unsupported value: \"IPv5\"") == true)
    }
}
