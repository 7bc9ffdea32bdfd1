import Foundation

/// A running container of a pod, as the sampler needs to know it.
public struct StatsContainer: Sendable, Equatable, Hashable {
    /// The Docker container ID.
    public var id: String
    /// The runtime's name for it (Docker's name without the leading `/`): cAdvisor's `name` label.
    public var name: String
    /// The image as the pod spec names it: cAdvisor's `image` label.
    public var image: String
    public var podName: String
    public var podNamespace: String
    public var podUID: String
    /// The container's name in the pod spec (`POD` for the infra container).
    public var containerName: String
    /// The infra container holds the pod's network namespace: the pod's network stats come from it.
    public var isInfra: Bool
    /// The container's main process, on the host: its `/proc/<pid>/cgroup` locates the cgroup,
    /// its `/proc/<pid>/net/dev` gives the pod's network.
    public var pid: Int
    public var startTime: Date
    /// The container's log file (Docker's json-file `LogPath`), for the summary's `logs`; nil when unknown.
    public var logPath: String?

    public init(
        id: String, name: String, image: String, podName: String, podNamespace: String, podUID: String, containerName: String,
        isInfra: Bool, pid: Int, startTime: Date, logPath: String? = nil
    ) {
        self.id = id
        self.name = name
        self.image = image
        self.podName = podName
        self.podNamespace = podNamespace
        self.podUID = podUID
        self.containerName = containerName
        self.isInfra = isInfra
        self.pid = pid
        self.startTime = startTime
        self.logPath = logPath
    }
}
