import CurlHTTP
import Foundation
import MasterDouble
import TestSupport
import Testing

@Suite("Faults")
struct FaultTests {
    @Test("breakWatches ends an open watch stream with a transport error or an early end")
    func breakWatchesCutsStreams() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        let watch = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=0")
        await watch.waitForEvents(1)
        #expect(await fixture.master.waitUntil { $0.openWatchCount == 1 })
        fixture.master.breakWatches()
        let end = await watch.waitForEnd(timeout: .seconds(3))
        #expect(end != nil)
        if case .failed(let message) = end {
            #expect(message.contains("transport error"))
        }
        #expect(await fixture.master.waitUntil { $0.openWatchCount == 0 })
    }

    @Test("setUnavailable answers every request 503 with a ServiceUnavailable Status until switched off")
    func unavailable() async throws {
        let fixture = try Fixture()
        fixture.master.setUnavailable(true)
        let answer = try await fixture.client.get("/api/v1/pods")
        #expect(answer.status == 503)
        #expect(answer.body["reason"] == "ServiceUnavailable")
        #expect(try await fixture.client.get("/healthz").status == 503)
        fixture.master.setUnavailable(false)
        #expect(try await fixture.client.get("/api/v1/pods").status == 200)
    }

    @Test("stop refuses connections and start serves again on the same port")
    func stopAndStart() async throws {
        let fixture = try Fixture()
        let port = fixture.master.port
        fixture.master.stop()
        await #expect(throws: HTTPError.self) { _ = try await fixture.client.get("/healthz") }
        try fixture.master.start()
        #expect(fixture.master.port == port)
        #expect(try await fixture.client.get("/healthz").status == 200)
    }

    @Test("a partition answers nothing and cuts the watches while the controllers go on; healed, everything answers again")
    func partition() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.node("node-a"))
        let watch = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=\(fixture.master.resourceVersion)")
        #expect(await fixture.master.waitUntil { $0.openWatchCount == 1 })
        fixture.master.setPartitioned(true)
        #expect(await watch.waitForEnd(timeout: .seconds(3)) != nil)
        await #expect(throws: HTTPError.self) { _ = try await fixture.client.get("/api/v1/pods") }
        await #expect(throws: HTTPError.self) { _ = try await fixture.client.get("/healthz") }
        // The scheduler still binds a pod created on the master's side.
        try fixture.master.create(Objects.pod("a"))
        #expect(await fixture.master.waitUntil { $0.pods().first?.spec.nodeName == "node-a" })
        fixture.master.setPartitioned(false)
        let answer = try await fixture.client.get("/api/v1/namespaces/default/pods/a")
        #expect(answer.status == 200)
        #expect(answer.body[path: ["spec", "nodeName"]] == "node-a")
    }

    @Test("failNext gives the next requests the injected status, then answers normally")
    func failNext() async throws {
        let fixture = try Fixture()
        fixture.master.failNext(2, status: 500)
        #expect(try await fixture.client.get("/api/v1/nodes").status == 500)
        let second = try await fixture.client.get("/api/v1/nodes")
        #expect(second.status == 500)
        #expect(second.body["reason"] == "InternalError")
        #expect(try await fixture.client.get("/api/v1/nodes").status == 200)
    }

    @Test("a hung watch sends its headers and then nothing, while a new watch after the fault works")
    func hangingWatches() async throws {
        let fixture = try Fixture()
        fixture.master.bookmarkInterval = .milliseconds(100)
        fixture.master.hangWatches(true)
        let hung = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=0&allowWatchBookmarks=true")
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        let created = fixture.master.resourceVersion
        // The hung watch passed over the new pod, and over bookmark times, and sent none of it.
        try await eventually("the hung watch passed over the pod twice", poll: .milliseconds(20)) {
            let silence = fixture.master.watchSilence
            return silence.revision >= created && silence.passes >= 2
        }
        #expect(hung.events.isEmpty)
        #expect(hung.end == nil)
        fixture.master.hangWatches(false)
        let healthy = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=0")
        await healthy.waitForEvents(1)
        #expect(healthy.types == ["ADDED"])
        // A watch that went silent stays so after the fault ends.
        let passes = fixture.master.watchSilence.passes
        try await eventually("the hung watch made two more silent passes", poll: .milliseconds(20)) { fixture.master.watchSilence.passes >= passes + 2 }
        #expect(hung.events.isEmpty)
        hung.cancel()
        healthy.cancel()
    }

    @Test("leases are 404 when not served, and work like any object when served")
    func leases() async throws {
        let old = try Fixture(servesLeases: false)
        let path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a"
        #expect(try await old.client.get(path).status == 404)
        #expect(try await old.client.get("/apis/coordination.k8s.io/v1").status == 404)

        let current = try Fixture()
        #expect(try await current.client.get(path).status == 404)
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "node-a", "namespace": "kube-node-lease"],
            "spec": ["holderIdentity": "node-a", "leaseDurationSeconds": 40, "renewTime": "2020-12-08T10:00:00.000000Z"],
        ]
        let created = try await current.client.send("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease)
        #expect(created.status == 201)
        var renewed = created.body
        renewed[path: ["spec", "renewTime"]] = "2020-12-08T10:00:10.000000Z"
        #expect(try await current.client.send("PUT", path, renewed).status == 200)
        #expect(try await current.client.send("PUT", path, renewed).status == 409)
        let discovery = try await current.client.get("/apis/coordination.k8s.io/v1")
        #expect(discovery.body["resources"]?.arrayValue?.first?["name"] == "leases")
        #expect(try await current.client.get("/version").body["gitVersion"] == "v1.20.0-clc-double")
    }

    @Test("the request log counts verbs per resource")
    func requestCounts() async throws {
        let fixture = try Fixture()
        let since = Date()
        _ = try await fixture.client.send("POST", "/api/v1/nodes", Objects.node("node-a"))
        _ = try await fixture.client.send(
            "PATCH", "/api/v1/nodes/node-a/status", ["status": ["conditions": [["type": "Ready", "status": "True"]]]],
            contentType: "application/strategic-merge-patch+json")
        _ = try await fixture.client.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a")
        let counts = fixture.master.requestCounts(since: since)
        #expect(counts[RequestKind(verb: "create", resource: "nodes")] == 1)
        #expect(counts[RequestKind(verb: "patch", resource: "nodes/status")] == 1)
        #expect(counts[RequestKind(verb: "list", resource: "pods")] == 1)
        #expect(fixture.master.requests(since: since).last?.path == "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a")
        #expect(fixture.master.node("node-a")?[path: ["status", "conditions"]]?.arrayValue?.count == 1)
    }
}
