import Foundation
import MasterDouble
import Testing

@Suite("List and watch")
struct WatchTests {
    @Test("a watch from the list's resourceVersion sees a pod added, its status modified and its deletion")
    func listThenWatch() async throws {
        let fixture = try Fixture()
        let list = try await fixture.client.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a")
        #expect(list.status == 200)
        #expect(list.body["kind"] == "PodList")
        let version = try #require(list.body[path: ["metadata", "resourceVersion"]]?.stringValue)

        let watch = fixture.client.watch(
            "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a&watch=true&resourceVersion=\(version)")
        let created = try await fixture.client.send("POST", "/api/v1/namespaces/default/pods", Objects.pod("web-1", node: "node-a"))
        #expect(created.status == 201)
        let uid = try #require(created.body[path: ["metadata", "uid"]]?.stringValue)
        // A pod on another node is not this watcher's business.
        _ = try await fixture.client.send("POST", "/api/v1/namespaces/default/pods", Objects.pod("web-2", node: "node-b"))

        let patched = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/web-1/status",
            ["status": ["phase": "Running", "podIP": "172.17.0.5"]],
            contentType: "application/strategic-merge-patch+json")
        #expect(patched.status == 200)
        let deleted = try await fixture.client.send(
            "DELETE", "/api/v1/namespaces/default/pods/web-1",
            ["kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0, "preconditions": ["uid": .string(uid)]])
        #expect(deleted.status == 200)

        let events = await watch.waitForEvents(4)
        // Deleting with grace 0 first stores the deletion timestamp, then removes the pod.
        #expect(watch.types == ["ADDED", "MODIFIED", "MODIFIED", "DELETED"])
        #expect(events.allSatisfy { $0[path: ["object", "metadata", "name"]] == "web-1" })
        #expect(events[1][path: ["object", "status", "podIP"]] == "172.17.0.5")
        let versions = events.compactMap { $0[path: ["object", "metadata", "resourceVersion"]]?.stringValue }.compactMap { Int64($0) }
        #expect(versions == versions.sorted() && Set(versions).count == 4)
        #expect(versions.last == fixture.master.resourceVersion)
        watch.cancel()
    }

    @Test("a field selector on spec.nodeName filters the list")
    func fieldSelectorFiltersList() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        try fixture.master.create(Objects.pod("b", node: "node-b"))
        let list = try await fixture.client.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-b")
        #expect(list.body["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["b"])
        let negated = try await fixture.client.get("/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName!%3Dnode-b,metadata.name%3Da")
        #expect(negated.body["items"]?.arrayValue?.count == 1)
        let unsupported = try await fixture.client.get("/api/v1/pods?fieldSelector=spec.image%3Dx")
        #expect(unsupported.status == 400)
        #expect(unsupported.body["message"] == "field label not supported: spec.image")
    }

    @Test("a pod that stops matching the selector reaches the watcher as DELETED, one that starts as ADDED")
    func selectorExitIsDeleted() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a", labels: ["app": "web"]))
        let version = fixture.master.resourceVersion
        let watch = fixture.client.watch("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&watch=true&resourceVersion=\(version)")
        try await Task.sleep(for: .milliseconds(100))
        let relabel = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/a", ["metadata": ["labels": ["app": "db"]]],
            contentType: "application/merge-patch+json")
        #expect(relabel.status == 200)
        _ = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/default/pods/a", ["metadata": ["labels": ["app": "web"]]],
            contentType: "application/merge-patch+json")
        let events = await watch.waitForEvents(2)
        #expect(watch.types == ["DELETED", "ADDED"])
        #expect(events.first?[path: ["object", "metadata", "labels", "app"]] == "web")
        watch.cancel()
    }

    @Test("a watch from resourceVersion 0 starts with the current pods as ADDED")
    func watchFromZeroSendsState() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        try fixture.master.create(Objects.pod("b", node: "node-a"))
        let watch = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=0")
        let events = await watch.waitForEvents(2)
        #expect(watch.types == ["ADDED", "ADDED"])
        #expect(events.compactMap { $0[path: ["object", "metadata", "name"]]?.stringValue } == ["a", "b"])
        watch.cancel()
    }

    @Test("bookmarks arrive when allowed, carrying the current resourceVersion, and not otherwise")
    func bookmarks() async throws {
        let fixture = try Fixture()
        fixture.master.bookmarkInterval = .milliseconds(200)
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        let version = fixture.master.resourceVersion
        let allowed = fixture.client.watch("/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=\(version)")
        let plain = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=\(version)")
        let events = await allowed.waitForEvents(2, timeout: .seconds(3))
        #expect(allowed.types.prefix(2) == ["BOOKMARK", "BOOKMARK"])
        #expect(events.first?[path: ["object", "kind"]] == "Pod")
        #expect(events.first?[path: ["object", "metadata", "resourceVersion"]] == .string(String(version)))
        #expect(plain.events.isEmpty)
        allowed.cancel()
        plain.cancel()
    }

    @Test("watching from a compacted resourceVersion gives one ERROR event with code 410 and the stream ends")
    func compactedWatchExpires() async throws {
        let fixture = try Fixture()
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        let old = fixture.master.resourceVersion
        try fixture.master.create(Objects.pod("b", node: "node-a"))
        fixture.master.compactHistory()
        let current = fixture.master.resourceVersion

        let watch = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=\(old)")
        #expect(await watch.waitForEnd() == .finished)
        #expect(watch.types == ["ERROR"])
        let status = try #require(watch.events.first?["object"])
        #expect(status == [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
            "message": .string("too old resource version: \(old) (\(current))"), "reason": "Expired", "code": 410,
        ])

        // The current resourceVersion is still fine.
        let fresh = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=\(current)")
        try fixture.master.create(Objects.pod("c", node: "node-a"))
        await fresh.waitForEvents(1)
        #expect(fresh.types == ["ADDED"])
        fresh.cancel()
    }

    @Test("a watch ends cleanly after timeoutSeconds, and a watch of one pod by name sees only that pod")
    func timeoutAndNamedWatch() async throws {
        let fixture = try Fixture()
        let version = fixture.master.resourceVersion
        let bounded = fixture.client.watch("/api/v1/pods?watch=true&resourceVersion=\(version)&timeoutSeconds=1")
        let named = fixture.client.watch("/api/v1/namespaces/default/pods/b?watch=true&resourceVersion=\(version)")
        try fixture.master.create(Objects.pod("a", node: "node-a"))
        try fixture.master.create(Objects.pod("b", node: "node-a"))
        await named.waitForEvents(1)
        #expect(named.events.map { $0[path: ["object", "metadata", "name"]] } == ["b"])
        #expect(await bounded.waitForEnd(timeout: .seconds(3)) == .finished)
        #expect(bounded.types == ["ADDED", "ADDED"])
        named.cancel()
    }
}
