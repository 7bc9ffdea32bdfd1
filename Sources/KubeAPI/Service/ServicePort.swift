/// One port of a service and where it forwards to.
public struct ServicePort: Sendable, Hashable, Codable {
    public var name: String?
    /// "TCP", "UDP" or "SCTP"; defaulting makes it "TCP".
    public var `protocol`: String?
    public var port: Int32
    /// A number, or the name of a container port; defaulting makes it `.int(port)`.
    public var targetPort: IntOrString?
    public var nodePort: Int32?

    public init(
        name: String? = nil,
        `protocol`: String? = nil,
        port: Int32,
        targetPort: IntOrString? = nil,
        nodePort: Int32? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}
