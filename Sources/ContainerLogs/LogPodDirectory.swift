import KubeAPI
import PodRuntime

/// The pods of this node and their containers as last observed, by namespace and name.
public protocol LogPodDirectory: Sendable {
    /// The pod with the status the agent last computed for it, or nil when the node has no pod
    /// of that name.
    func pod(namespace: String, name: String) async -> (pod: Pod, status: PodStatus?, observed: ObservedPod)?
}
