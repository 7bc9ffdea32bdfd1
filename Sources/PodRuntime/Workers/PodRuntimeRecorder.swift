/// Where the pod manager reports what kubelet's metrics count: pod worker syncs, pod start
/// latency, and the pods and containers running. A protocol so that this module needs no
/// metrics library; the agent's wiring adapts it to its registry.
public protocol PodRuntimeRecorder: Sendable {
    /// One pod worker pass (kubelet's `kubelet_pod_worker_duration_seconds`).
    func podWorkerFinished(_ operation: PodWorkerOperation, duration: Duration)
    /// A pod ran for the first time, `latency` after the agent first saw it
    /// (`kubelet_pod_start_duration_seconds`).
    func podStarted(latency: Duration)
    /// The node's pods with a running infra container, and its app containers by state
    /// (`running`, `exited`, `created`): `kubelet_running_pods`, `kubelet_running_containers`.
    func running(pods: Int, containers: [String: Int])
}

/// kubelet's `operation_type` of a pod worker pass.
public enum PodWorkerOperation: String, Sendable, Hashable, CaseIterable {
    /// The pod's first sync on this agent.
    case create
    /// Any later sync of a pod that is wanted.
    case sync
    /// A sync of a pod no source wants any more: its containers are stopped.
    case kill
}
