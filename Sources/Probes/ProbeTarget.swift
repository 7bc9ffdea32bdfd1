/// A running container whose probes should run.
public struct ProbeTarget: Sendable, Hashable {
    public var podUID: String
    public var podName: String
    /// The pod's namespace, for the probe metrics' labels.
    public var podNamespace: String
    public var containerName: String
    public var containerID: String
    public var podIP: String?
    /// How long ago the container started, so that initialDelaySeconds counts from its start.
    public var startedAgo: Duration
    public var probes: [ProbeSettings]

    public init(podUID: String, podName: String, containerName: String, containerID: String, podIP: String?, startedAgo: Duration, probes: [ProbeSettings], podNamespace: String = "") {
        self.podUID = podUID
        self.podName = podName
        self.podNamespace = podNamespace
        self.containerName = containerName
        self.containerID = containerID
        self.podIP = podIP
        self.startedAgo = startedAgo
        self.probes = probes
    }
}

/// A probe result worth an event (`Unhealthy`, kubelet's reason for failed probes).
public struct ProbeEvent: Sendable, Hashable {
    public var podUID: String
    public var containerName: String
    public var containerID: String
    public var kind: ProbeKind
    public var message: String
}
