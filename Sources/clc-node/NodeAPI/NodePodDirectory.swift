import ContainerLogs
import KubeAPI
import PodRuntime

/// A pod of the node for `/containerLogs`, looked up by name in the pod manager's records.
struct NodePodDirectory: LogPodDirectory {
    let manager: PodManager

    func pod(namespace: String, name: String) async -> (pod: Pod, status: PodStatus?, observed: ObservedPod)? {
        guard let record = await manager.record(namespace: namespace, name: name) else { return nil }
        return (record.pod, record.status, record.observed)
    }
}
