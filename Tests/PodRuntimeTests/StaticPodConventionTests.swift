import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("Static pods follow kubelet's conventions (REFERENCE 10)")
struct StaticPodConventionTests {
    private let manifest = """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "annotations": {"team": "a"}},
         "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}
        """

    @Test("the name ends in the node name lowercased, as kubelet's generatePodName does")
    func lowercasedNodeName() throws {
        let directory = try ManifestDirectory()
        try directory.write("web.json", manifest)
        var scanner = try directory.scanner(node: "Node-A")
        let pod = try #require(scanner.scan().pods.first)
        #expect(pod.metadata.name == "web-node-a")
        #expect(pod.spec.nodeName == "Node-A")
    }

    @Test("config.hash is the UID, and an edited manifest gives another one")
    func configHash() throws {
        let directory = try ManifestDirectory()
        try directory.write("web.json", manifest)
        var scanner = try directory.scanner()
        let pod = try #require(scanner.scan().pods.first)
        let uid = try #require(pod.metadata.uid)
        #expect(pod.metadata.annotations?["kubernetes.io/config.hash"] == uid)
        #expect(pod.metadata.annotations?["kubernetes.io/config.source"] == "file")
        #expect(pod.metadata.annotations?["team"] == "a", "the manifest's own annotations stay")

        try directory.write("web.json", manifest.replacingOccurrences(of: "nginx:1.25", with: "nginx:1.26"))
        var edited = try directory.scanner()
        let changed = try #require(edited.scan().pods.first)
        #expect(changed.metadata.uid != uid)
        #expect(changed.metadata.annotations?["kubernetes.io/config.hash"] == changed.metadata.uid)
    }
}
