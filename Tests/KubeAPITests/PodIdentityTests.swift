import KubeAPI
import Testing

@Suite("Pod identities checked before they become paths and container names")
struct PodIdentityTests {
    func pod(name: String = "web", namespace: String? = "default", uid: String? = "4f8e2c1a-0b3d-4e5f-9a7b-1c2d3e4f5a6b") -> Pod {
        Pod(metadata: ObjectMeta(name: name, namespace: namespace, uid: uid))
    }

    @Test("an API server UUID, a manifest hash UID and the default namespace pass")
    func valid() {
        #expect(pod().identityErrors().isEmpty)
        #expect(pod(namespace: nil, uid: "0123456789abcdef0123456789abcdef").identityErrors().isEmpty)
    }

    @Test(
        "UIDs that would leave the pods directory or break a Docker name are refused",
        arguments: ["", ".", "..", "../../etc", "a/b", "-x", "uid_with space", String(repeating: "a", count: 129), "a:b"])
    func badUIDs(_ uid: String) {
        #expect(pod(uid: uid).identityErrors().map(\.field) == ["metadata.uid"])
        #expect(!Pod.isSafeUID(uid))
    }

    @Test("names and namespaces outside DNS-1123 are refused naming the field", arguments: [("Web_1", "default", "metadata.name"), ("web", "Kube_System", "metadata.namespace"), ("../x", "default", "metadata.name")])
    func badNames(name: String, namespace: String, field: String) {
        #expect(pod(name: name, namespace: namespace).identityErrors().map(\.field) == [field])
    }
}
