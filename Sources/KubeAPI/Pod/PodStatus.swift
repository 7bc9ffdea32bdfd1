/// What the node reports about a pod (v1 `PodStatus`).
public struct PodStatus: Sendable, Hashable, Codable {
    /// "Pending", "Running", "Succeeded", "Failed" or "Unknown".
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var podIP: String?
    public var podIPs: [PodIP]?
    /// RFC 3339; set once, when the node first accepted the pod.
    public var startTime: String?
    public var containerStatuses: [ContainerStatus]?
    /// "Guaranteed", "Burstable" or "BestEffort".
    public var qosClass: String?

    public init(
        phase: String? = nil,
        conditions: [PodCondition]? = nil,
        message: String? = nil,
        reason: String? = nil,
        hostIP: String? = nil,
        podIP: String? = nil,
        podIPs: [PodIP]? = nil,
        startTime: String? = nil,
        containerStatuses: [ContainerStatus]? = nil,
        qosClass: String? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.message = message
        self.reason = reason
        self.hostIP = hostIP
        self.podIP = podIP
        self.podIPs = podIPs
        self.startTime = startTime
        self.containerStatuses = containerStatuses
        self.qosClass = qosClass
    }
}
