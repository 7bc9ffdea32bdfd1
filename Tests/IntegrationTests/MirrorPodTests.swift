import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// Static pods seen through the master (REFERENCE 10), with the real agent and the master double.
@Suite("Mirror pods of static pods", .serialized)
struct MirrorPodTests {
    @Test("a static pod gets a mirror pod owned by its node with its status; a user's delete brings it back, an edited manifest replaces it, a removed one deletes it; the static pod runs once throughout")
    func lifecycle() async throws {
        let cluster = try Cluster("mirror")
        defer { Task { await cluster.tearDown() } }
        let node = cluster.fixture.node
        let name = "static-\(node)"
        func mirror() -> Pod? { cluster.mirrorPods().first { $0.metadata.name == name } }
        func isReady(_ pod: Pod?) -> Bool {
            pod?.status?.phase == "Running" && pod?.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
        }
        func apps() async throws -> [ContainerInspect] {
            try await cluster.fixture.docker.runningApps(node: node).filter { $0.labels["io.kubernetes.pod.name"] == name }
        }

        try cluster.fixture.write(busyboxPod(name: "static"), as: "static.json")
        do {
            try await eventually("the mirror pod with the static pod's Running status", timeout: .seconds(40)) { isReady(mirror()) }
        } catch {
            let lines = cluster.fixture.agent.log.split(separator: "\n").filter { !$0.contains("Starting service") }
            print("agent log:\n" + lines.suffix(40).joined(separator: "\n"))
            print("mirror pod: \(String(describing: mirror()))")
            throw error
        }
        let first = try #require(mirror())
        let hash = try #require(first.metadata.annotations?["kubernetes.io/config.hash"])
        #expect(first.metadata.annotations?["kubernetes.io/config.mirror"] == hash)
        #expect(first.metadata.annotations?["kubernetes.io/config.source"] == "file")
        let nodeUID = try #require(cluster.master.node(node)?[path: ["metadata", "uid"]]?.stringValue)
        #expect(first.metadata.ownerReferences == [OwnerReference(apiVersion: "v1", kind: "Node", name: node, uid: nodeUID, controller: true)])
        #expect(first.metadata.uid != hash, "the mirror has the master's own UID")
        #expect(first.spec.nodeName == node)
        #expect(first.status?.containerStatuses?.first?.name == "app")
        let container = try #require(try await apps().first?.id)
        #expect(try await apps().count == 1, "the mirror pod from the watch is not run as a second pod")

        // kubectl delete: graceful, as for any pod bound to a node.
        _ = try cluster.master.deletePod(name: name)
        try await eventually("the mirror pod made again under a new UID", timeout: .seconds(30)) {
            guard let again = mirror() else { return false }
            return again.metadata.uid != first.metadata.uid && again.metadata.deletionTimestamp == nil
        }
        try await eventually("its status written again", timeout: .seconds(30)) { isReady(mirror()) }
        #expect(try await apps().map(\.id) == [container], "the static pod kept running")

        // The manifest is edited: a new hash, the mirror replaced.
        try Data(busyboxPod(name: "static", grace: 3).utf8).write(
            to: URL(fileURLWithPath: "\(cluster.fixture.manifests)/static.json"), options: .atomic)
        try await eventually("the mirror pod replaced by one of the new manifest", timeout: .seconds(30)) {
            guard let replaced = mirror(), let mirrored = replaced.metadata.annotations?["kubernetes.io/config.mirror"] else { return false }
            return mirrored != hash && replaced.spec.terminationGracePeriodSeconds == 3
        }
        try await eventually("the replaced mirror's status Running", timeout: .seconds(40)) { isReady(mirror()) }

        // The manifest goes: the mirror pod goes.
        try FileManager.default.removeItem(atPath: "\(cluster.fixture.manifests)/static.json")
        try await eventually("the mirror pod deleted", timeout: .seconds(30)) { mirror() == nil }
        #expect(cluster.mirrorPods().isEmpty)
        #expect(cluster.fixture.agent.isRunning)
    }

    @Test("a mirror pod left on the master without its static pod is deleted; pods that are not mirrors are run")
    func orphans() async throws {
        let cluster = try Cluster("mirror-orphan")
        defer { Task { await cluster.tearDown() } }
        let node = cluster.fixture.node
        try await eventually("the node registered", timeout: .seconds(20)) { cluster.master.node(node) != nil }
        let nodeUID = cluster.master.node(node)?[path: ["metadata", "uid"]]?.stringValue ?? ""
        _ = try cluster.master.apply(object: [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string("gone-\(node)"), "namespace": "default",
                "annotations": ["kubernetes.io/config.mirror": "old-hash", "kubernetes.io/config.source": "file"],
                "ownerReferences": [["apiVersion": "v1", "kind": "Node", "name": .string(node), "uid": .string(nodeUID), "controller": true]],
            ],
            "spec": ["nodeName": .string(node), "containers": [["name": "app", "image": "clc-test/busybox"]]],
        ])
        try await eventually("the orphaned mirror pod deleted", timeout: .seconds(30)) { cluster.mirrorPods().isEmpty }
        #expect(try await cluster.fixture.docker.runningApps(node: node).isEmpty, "the orphan was never run")
    }
}
