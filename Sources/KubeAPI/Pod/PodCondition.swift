/// One of the pod's conditions: `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`.
public struct PodCondition: Sendable, Hashable, Codable {
    public var type: String?
    /// "True", "False" or "Unknown".
    public var status: String?
    public var lastProbeTime: String?
    public var lastTransitionTime: String?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil,
        status: String? = nil,
        lastProbeTime: String? = nil,
        lastTransitionTime: String? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
