import ContainerLogs
import KubeAPI
import PodRuntime

/// A pod of the node for `/containerLogs`, looked up by name in the pod manager's records.
struct NodePodDirectory: LogPodDirectory {
    let manager: PodManager

    func pod(namespace: String, name: String) async -> (pod: Pod, status: PodStatus?, observed: ObservedPod)? {
        let records = await manager.snapshot()
        guard let record = records.first(where: { $0.pod.metadata.namespace ?? "default" == namespace && $0.pod.metadata.name == name })
        else { return nil }
        return (record.pod, record.status, record.observed)
    }
}
