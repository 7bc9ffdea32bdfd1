/// A TCP connect to the container; connecting within the timeout is success.
public struct TCPSocketAction: Sendable, Hashable, Codable {
    /// A number, or the name of one of the container's ports.
    public var port: IntOrString
    /// Defaults to the pod IP when unset.
    public var host: String?

    public init(port: IntOrString, host: String? = nil) {
        self.port = port
        self.host = host
    }
}
