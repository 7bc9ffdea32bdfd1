/// What the controller manager observed.
public struct ReplicationControllerStatus: Sendable, Hashable, Codable {
    public var replicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var observedGeneration: Int64?

    public init(
        replicas: Int32? = nil,
        readyReplicas: Int32? = nil,
        availableReplicas: Int32? = nil,
        observedGeneration: Int64? = nil
    ) {
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.observedGeneration = observedGeneration
    }
}
