import KubeAPI
import PodRuntime

/// Mirror pods: the master's read-only copy of a static pod (kubelet's pkg/kubelet/pod/mirror_client.go).
/// Same name, namespace, labels and spec as the static pod; all its annotations plus
/// `kubernetes.io/config.mirror` = the static pod's `kubernetes.io/config.hash`; owned by the Node.
public enum MirrorPod {
    /// The annotation that marks a pod on the master as a mirror, with the static pod's hash.
    public static let annotation = "kubernetes.io/config.mirror"

    /// Whether a pod from the master is a mirror pod (never a pod to run).
    public static func isMirror(_ pod: Pod) -> Bool {
        pod.metadata.annotations?[annotation] != nil
    }

    /// Whether a pod of the agent is a static pod (read from the manifest directory).
    public static func isStatic(_ pod: Pod) -> Bool {
        PodConfigSource(of: pod) == .file
    }

    /// A static pod's hash (`kubernetes.io/config.hash`, else its UID).
    public static func hash(of staticPod: Pod) -> String? {
        staticPod.metadata.annotations?[ManifestExpander.configHashAnnotation] ?? staticPod.metadata.uid
    }

    /// The mirror pod to create for `staticPod` on a node whose API object has `nodeUID`.
    public static func make(for staticPod: Pod, nodeName: String, nodeUID: String) -> Pod {
        var metadata = ObjectMeta(
            name: staticPod.metadata.name, namespace: staticPod.metadata.namespace ?? "default",
            labels: staticPod.metadata.labels)
        var annotations = staticPod.metadata.annotations ?? [:]
        annotations[annotation] = hash(of: staticPod)
        metadata.annotations = annotations
        // NodeRestriction admits exactly one owner: the node itself, as controller.
        metadata.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUID, controller: true)]
        var spec = staticPod.spec
        spec.nodeName = nodeName
        return Pod(apiVersion: "v1", kind: "Pod", metadata: metadata, spec: spec)
    }
}
