import ContainerLogs
import KubeAPI
import PodRuntime

/// The node's pods as the pod manager last synced them, for the node server's `/pods`,
/// `/runningpods/` and `/containerLogs`.
struct NodePodDirectory: LogPodDirectory {
    let manager: PodManager

    func pod(namespace: String, name: String) async -> (pod: Pod, status: PodStatus?, observed: ObservedPod)? {
        let records = await manager.snapshot()
        guard let record = records.first(where: { $0.pod.metadata.namespace ?? "default" == namespace && $0.pod.metadata.name == name })
        else { return nil }
        return (record.pod, record.status, record.observed)
    }

    /// Every pod the node runs or was asked to run, with its status (kubelet's `/pods`).
    func pods() async -> [Pod] {
        await manager.snapshot()
            .map { record in
                var pod = record.pod
                pod.status = record.status
                return pod
            }
            .sorted { ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "") }
    }
}
