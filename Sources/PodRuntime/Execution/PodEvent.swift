import KubeAPI

/// An event about a pod, as kubelet records them (`Pulling`, `Started`, `BackOff`, ...).
public struct PodEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case normal = "Normal", warning = "Warning" }

    public var podNamespace: String
    public var podName: String
    public var podUID: String
    /// `spec.containers{name}` as kubelet's fieldPath, when it concerns one container.
    public var container: String?
    public var kind: Kind
    public var reason: String
    public var message: String

    public init(pod: Pod, container: String? = nil, kind: Kind = .normal, reason: String, message: String) {
        self.podNamespace = pod.metadata.namespace ?? "default"
        self.podName = pod.metadata.name ?? ""
        self.podUID = pod.metadata.uid ?? ""
        self.container = container
        self.kind = kind
        self.reason = reason
        self.message = message
    }
}

/// Where pod events go: the log now, the master's events API when one is configured.
public protocol EventRecorder: Sendable {
    func record(_ event: PodEvent)
    /// The pod is gone and will record nothing more: what is kept to count its repeats may go.
    func forget(podUID: String)
}

extension EventRecorder {
    public func forget(podUID: String) {}
}
