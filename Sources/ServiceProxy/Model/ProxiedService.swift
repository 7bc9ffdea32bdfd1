import IPv4

/// One service as the proxy sees it: its cluster IP, its ports and, per port, the ready
/// endpoints behind it.
public struct ProxiedService: Sendable, Hashable {
    /// One port of the service (`spec.ports[]`).
    public struct Port: Sendable, Hashable {
        /// The port's name; empty when the service has a single unnamed port.
        public var name: String
        public var `protocol`: TransportProtocol
        /// The port on the cluster IP.
        public var port: UInt16
        /// The port on every local address of the node, for `type: NodePort`.
        public var nodePort: UInt16?
        /// Where endpoints listen: a number, or the name of a container port of the pods.
        public var targetPort: TargetPort

        public init(
            name: String = "", protocol: TransportProtocol = .tcp, port: UInt16, nodePort: UInt16? = nil,
            targetPort: TargetPort? = nil
        ) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.nodePort = nodePort
            self.targetPort = targetPort ?? .number(port)
        }
    }

    /// `spec.ports[].targetPort`.
    public enum TargetPort: Sendable, Hashable {
        case number(UInt16)
        case name(String)
    }

    /// A ready endpoint of one service port.
    public struct Endpoint: Sendable, Hashable, Comparable {
        public var ip: IPv4Address
        public var port: UInt16
        /// The pod behind the endpoint, when known (logs and metrics only).
        public var podName: String?

        public init(ip: IPv4Address, port: UInt16, podName: String? = nil) {
            self.ip = ip
            self.port = port
            self.podName = podName
        }

        public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool {
            (lhs.ip, lhs.port) < (rhs.ip, rhs.port)
        }
    }

    /// `spec.sessionAffinity`.
    public enum SessionAffinity: Sendable, Hashable {
        case none
        /// Connections from one client IP go to the same endpoint until `timeoutSeconds` pass
        /// without one (Kubernetes' default is 10800).
        case clientIP(timeoutSeconds: UInt32)
    }

    public var namespace: String
    public var name: String
    public var clusterIP: IPv4Address
    public var ports: [Port]
    public var sessionAffinity: SessionAffinity
    /// Ready endpoints by service port name (`Port.name`).
    public var endpoints: [String: [Endpoint]]

    public init(
        namespace: String = "default", name: String, clusterIP: IPv4Address, ports: [Port],
        sessionAffinity: SessionAffinity = .none, endpoints: [String: [Endpoint]] = [:]
    ) {
        self.namespace = namespace
        self.name = name
        self.clusterIP = clusterIP
        self.ports = ports
        self.sessionAffinity = sessionAffinity
        self.endpoints = endpoints
    }

    /// The port's endpoints, each once, in order: what the table serves the port with.
    public func distinctEndpoints(of port: Port) -> [Endpoint] { Array(Set(endpoints[port.name] ?? [])).sorted() }
}
