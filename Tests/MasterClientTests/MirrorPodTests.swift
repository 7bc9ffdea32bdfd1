import Foundation
import KubeAPI
import Logging
import MasterClient
import MasterDouble
import MasterSync
import Testing

private func staticPod(name: String = "web-node-a", hash: String = "hash-1", image: String = "nginx:1.25") -> Pod {
    Pod(
        apiVersion: "v1", kind: "Pod",
        metadata: ObjectMeta(
            name: name, namespace: "default", uid: hash, labels: ["app": "web"],
            annotations: [
                "kubernetes.io/config.source": "file", "kubernetes.io/config.hash": hash, "team": "a",
            ]),
        spec: PodSpec(containers: [Container(name: "app", image: image)], nodeName: "node-a"))
}

private func mirror(of pod: Pod, uid: String, deleting: Bool = false) -> Pod {
    var mirror = MirrorPod.make(for: pod, nodeName: "node-a", nodeUID: "node-uid")
    mirror.metadata.uid = uid
    if deleting { mirror.metadata.deletionTimestamp = "2026-01-01T00:00:00Z" }
    return mirror
}

@Suite("The mirror pod plan (kubelet's SyncPod and HandlePodCleanups)")
struct MirrorPodPlannerTests {
    @Test("a static pod without a mirror gets one with every annotation, config.mirror and the node as its owner")
    func createsMissing() throws {
        let actions = MirrorPodPlanner.plan(staticPods: [staticPod()], mirrorPods: [], nodeName: "node-a", nodeUID: "node-uid")
        guard case .create(let pod) = try #require(actions.first), actions.count == 1 else {
            Issue.record("expected one create, got \(actions)")
            return
        }
        #expect(pod.metadata.name == "web-node-a")
        #expect(pod.metadata.namespace == "default")
        #expect(pod.metadata.uid == nil, "the master gives the mirror its own UID")
        #expect(pod.metadata.labels == ["app": "web"])
        #expect(pod.metadata.annotations?["kubernetes.io/config.mirror"] == "hash-1")
        #expect(pod.metadata.annotations?["kubernetes.io/config.hash"] == "hash-1")
        #expect(pod.metadata.annotations?["team"] == "a")
        #expect(pod.metadata.ownerReferences == [OwnerReference(apiVersion: "v1", kind: "Node", name: "node-a", uid: "node-uid", controller: true)])
        #expect(pod.spec == staticPod().spec)
    }

    @Test("no mirror pod is created while the node cannot be read")
    func waitsForNode() {
        #expect(MirrorPodPlanner.plan(staticPods: [staticPod()], mirrorPods: [], nodeName: "node-a", nodeUID: nil).isEmpty)
    }

    @Test("a current mirror pod is left alone")
    func keepsCurrent() {
        let pod = staticPod()
        #expect(MirrorPodPlanner.plan(staticPods: [pod], mirrorPods: [mirror(of: pod, uid: "m1")], nodeName: "node-a", nodeUID: "node-uid").isEmpty)
    }

    @Test("a mirror pod being deleted is deleted at once and made again")
    func recreatesDeleted() {
        let pod = staticPod()
        let actions = MirrorPodPlanner.plan(
            staticPods: [pod], mirrorPods: [mirror(of: pod, uid: "m1", deleting: true)], nodeName: "node-a", nodeUID: "node-uid")
        #expect(actions.count == 2)
        #expect(actions.first == .delete(namespace: "default", name: "web-node-a", uid: "m1", reason: .deleted))
        if case .create = actions.last {} else { Issue.record("expected a create after the delete: \(actions)") }
    }

    @Test("a mirror pod of an older manifest is replaced")
    func replacesOutdated() {
        let old = staticPod(hash: "hash-1")
        let new = staticPod(hash: "hash-2", image: "nginx:1.26")
        let actions = MirrorPodPlanner.plan(staticPods: [new], mirrorPods: [mirror(of: old, uid: "m1")], nodeName: "node-a", nodeUID: "node-uid")
        #expect(actions.first == .delete(namespace: "default", name: "web-node-a", uid: "m1", reason: .outdated))
        guard case .create(let created) = actions.last, actions.count == 2 else {
            Issue.record("expected a create after the delete: \(actions)")
            return
        }
        #expect(created.metadata.annotations?["kubernetes.io/config.mirror"] == "hash-2")
    }

    @Test("a mirror pod without its static pod is deleted, even while the node cannot be read")
    func deletesOrphans() {
        let actions = MirrorPodPlanner.plan(
            staticPods: [], mirrorPods: [mirror(of: staticPod(), uid: "m1")], nodeName: "node-a", nodeUID: nil)
        #expect(actions == [.delete(namespace: "default", name: "web-node-a", uid: "m1", reason: .orphaned)])
    }
}

@Suite("Mirror pods against the master double")
struct MirrorPodSyncerTests {
    let master: MasterDouble
    let client: MasterClient
    let syncer: MirrorPodSyncer

    init() throws {
        master = try MasterDouble()
        try master.start()
        client = MasterClient(endpoint: .init(baseURL: master.url), configuration: .init(retries: 1), logger: Logger(label: "test"))
        syncer = MirrorPodSyncer(client: client, nodeName: "node-a", logger: Logger(label: "test"))
    }

    private func registerNode() async throws -> String {
        let node = try await client.registerNode(Node(metadata: ObjectMeta(name: "node-a")))
        return try #require(node.metadata.uid)
    }

    /// One round, as the pod watch would have shown the master's pods.
    private func round() async {
        await syncer.observe(masterPods: master.pods())
        await syncer.syncOnce()
    }

    private func theMirror() -> Pod? { master.pods(namespace: "default").first { $0.metadata.name == "web-node-a" } }

    @Test("a static pod's mirror is created, owned by the node with its UID")
    func creates() async throws {
        defer { master.stop() }
        let nodeUID = try await registerNode()
        await syncer.update(staticPods: [staticPod()])
        await round()
        let mirror = try #require(theMirror())
        #expect(mirror.metadata.annotations?["kubernetes.io/config.mirror"] == "hash-1")
        #expect(mirror.metadata.ownerReferences?.first?.uid == nodeUID)
        #expect(mirror.metadata.ownerReferences?.first?.controller == true)
        #expect(mirror.metadata.uid != "hash-1")

        // A round that has not yet seen it (409 AlreadyExists with the same hash) is a success.
        await syncer.syncOnce()
        #expect(master.pods(namespace: "default").count == 1)
    }

    @Test("nothing is created while the node is not registered, and it is once it is")
    func waitsForNode() async throws {
        defer { master.stop() }
        await syncer.update(staticPods: [staticPod()])
        await round()
        #expect(theMirror() == nil)
        _ = try await registerNode()
        await round()
        #expect(theMirror() != nil)
    }

    @Test("a user's delete (graceful, as kubectl) brings the mirror back under a new UID")
    func recreatesAfterDelete() async throws {
        defer { master.stop() }
        _ = try await registerNode()
        await syncer.update(staticPods: [staticPod()])
        await round()
        let first = try #require(theMirror()?.metadata.uid)
        try await client.request("DELETE", "/api/v1/namespaces/default/pods/web-node-a")
        #expect(theMirror()?.metadata.deletionTimestamp != nil, "bound to a node, it waits for its grace period")
        await round()
        let second = try #require(theMirror())
        #expect(second.metadata.uid != first)
        #expect(second.metadata.deletionTimestamp == nil)
    }

    @Test("an edited manifest replaces the mirror; a removed one deletes it")
    func replacesAndRemoves() async throws {
        defer { master.stop() }
        _ = try await registerNode()
        await syncer.update(staticPods: [staticPod()])
        await round()
        let first = try #require(theMirror()?.metadata.uid)
        await syncer.update(staticPods: [staticPod(hash: "hash-2", image: "nginx:1.26")])
        await round()
        let replaced = try #require(theMirror())
        #expect(replaced.metadata.uid != first)
        #expect(replaced.metadata.annotations?["kubernetes.io/config.mirror"] == "hash-2")
        #expect(replaced.spec.containers.first?.image == "nginx:1.26")

        await syncer.update(staticPods: [])
        await round()
        #expect(theMirror() == nil)
    }

    @Test("pods that are not mirrors are never touched by housekeeping")
    func leavesOtherPods() async throws {
        defer { master.stop() }
        _ = try await registerNode()
        _ = try master.apply(Data(#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"api-pod"},"spec":{"nodeName":"node-a","containers":[{"name":"c","image":"i"}]}}"#.utf8))
        await syncer.update(staticPods: [])
        await round()
        #expect(master.pods(namespace: "default").map(\.metadata.name) == ["api-pod"])
    }
}
