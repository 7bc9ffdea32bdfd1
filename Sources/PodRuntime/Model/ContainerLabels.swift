/// Labels the agent puts on every Docker container it creates. They are the only state the agent
/// keeps about a container, so that a restarted agent adopts what it finds and restart counts
/// survive it. The `io.kubernetes.*` names are the ones kubelet's Docker integration used, so
/// that operators' `docker ps --filter label=...` habits carry over.
public enum ContainerLabels {
    public static let podName = "io.kubernetes.pod.name"
    public static let podNamespace = "io.kubernetes.pod.namespace"
    public static let podUID = "io.kubernetes.pod.uid"
    public static let containerName = "io.kubernetes.container.name"
    public static let containerHash = "io.kubernetes.container.hash"
    public static let restartCount = "io.kubernetes.container.restartCount"
    public static let terminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod"
    /// `podsandbox` for the infra container, `container` for app containers.
    public static let dockerType = "io.kubernetes.docker.type"
    /// The node whose agent owns the container: agents sharing one engine never touch each
    /// other's containers.
    public static let node = "io.clc-node.node"
    /// The container's image as the pod spec names it (the engine reports an ID).
    public static let specImage = "io.clc-node.container.image"
    /// The pod's ``PodConfigSource`` (`file` or `api`); absent on containers of agents older
    /// than the label.
    public static let podSource = "io.clc-node.pod.source"
    /// The Docker network an infra container was created on (absent: Docker's default bridge)
    /// and that network's ID: a pod is recreated when the pod network changes.
    public static let network = "io.clc-node.pod.network"
    public static let networkID = "io.clc-node.pod.network.id"
    /// The pod IP of a `hostNetwork` pod's infra container (the node's address), which Docker
    /// does not report for the host network.
    public static let podIP = "io.clc-node.pod.ip"

    public static let infraContainerName = "POD"
    public static let sandboxType = "podsandbox"
    public static let containerType = "container"
}
