/// Where the prober reports every probe run, for kubelet's `prober_probe_total` and
/// `prober_probe_duration_seconds`. A protocol so that this module needs no metrics library;
/// the agent's wiring adapts it to its registry.
public protocol ProbeRecorder: Sendable {
    func record(_ run: ProbeRun)
    /// The pod's probes stopped for good (the pod is gone): what was kept for it may go.
    func forget(podUID: String)
}

extension ProbeRecorder {
    public func forget(podUID: String) {}
}

/// One probe run: which probe of which container, how it ended and how long it took.
public struct ProbeRun: Sendable, Hashable {
    public var kind: ProbeKind
    public var succeeded: Bool
    public var podUID: String
    public var podName: String
    public var podNamespace: String
    public var containerName: String
    public var duration: Duration

    public init(
        kind: ProbeKind, succeeded: Bool, podUID: String, podName: String, podNamespace: String, containerName: String, duration: Duration
    ) {
        self.kind = kind
        self.succeeded = succeeded
        self.podUID = podUID
        self.podName = podName
        self.podNamespace = podNamespace
        self.containerName = containerName
        self.duration = duration
    }
}
