/// A port a container listens on; its `name` lets probes and services refer to it.
public struct ContainerPort: Sendable, Hashable, Codable {
    public var name: String?
    public var containerPort: Int32
    /// Published on the node; with host networking it equals `containerPort`.
    public var hostPort: Int32?
    /// "TCP", "UDP" or "SCTP"; defaulting makes it "TCP".
    public var `protocol`: String?
    public var hostIP: String?

    public init(
        name: String? = nil,
        containerPort: Int32,
        hostPort: Int32? = nil,
        `protocol`: String? = nil,
        hostIP: String? = nil
    ) {
        self.name = name
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
}
