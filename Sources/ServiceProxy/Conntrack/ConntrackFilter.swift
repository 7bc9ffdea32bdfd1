import IPv4

/// Which UDP conntrack entries to delete: those of flows a client sent to one service
/// frontend, optionally only those the proxy DNATed to one endpoint. Always UDP: TCP flows to a
/// gone endpoint end by themselves (resets and timeouts), UDP flows live as long as the client
/// keeps sending.
public struct ConntrackFilter: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// What the client addressed (the original direction's destination).
    public enum Destination: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// A cluster IP and service port.
        case serviceIP(IPv4Address, port: UInt16)
        /// A NodePort: the destination port, whichever address of the node it was sent to.
        case nodePort(UInt16)

        public var description: String {
            switch self {
            case let .serviceIP(ip, port): "\(ip):\(port)"
            case let .nodePort(port): "NodePort \(port)"
            }
        }
    }

    /// The endpoint a flow was DNATed to: the reply direction's source address and port.
    public struct Endpoint: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var ip: IPv4Address
        public var port: UInt16

        public init(ip: IPv4Address, port: UInt16) {
            self.ip = ip
            self.port = port
        }

        /// The address and port of a service's endpoint (its pod name plays no part).
        public init(_ endpoint: ProxiedService.Endpoint) { self.init(ip: endpoint.ip, port: endpoint.port) }

        public var description: String { "\(ip):\(port)" }

        public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool { (lhs.ip, lhs.port) < (rhs.ip, rhs.port) }
    }

    public var destination: Destination
    /// Only flows DNATed to this endpoint; nil for every flow to the destination.
    public var endpoint: Endpoint?

    public init(destination: Destination, endpoint: Endpoint? = nil) {
        self.destination = destination
        self.endpoint = endpoint
    }

    /// Every UDP flow to a cluster IP and service port (`conntrack -D -p udp --orig-dst IP --orig-port-dst PORT`).
    public static func udpToServiceIP(_ ip: IPv4Address, port: UInt16) -> ConntrackFilter {
        ConntrackFilter(destination: .serviceIP(ip, port: port))
    }

    /// Every UDP flow to a NodePort (`conntrack -D -p udp --orig-port-dst PORT`).
    public static func udpToNodePort(_ port: UInt16) -> ConntrackFilter {
        ConntrackFilter(destination: .nodePort(port))
    }

    /// The UDP flows to `destination` that were DNATed to `endpoint`
    /// (`… --reply-src IP --reply-port-src PORT`).
    public static func udpNATed(to endpoint: Endpoint, via destination: Destination) -> ConntrackFilter {
        ConntrackFilter(destination: destination, endpoint: endpoint)
    }

    /// Whether `entry` is one of the flows this filter selects.
    public func matches(_ entry: ConntrackEntry) -> Bool {
        guard entry.protocolNumber == TransportProtocol.udp.number else { return false }
        switch destination {
        case let .serviceIP(ip, port):
            guard entry.original.destination == ip, entry.original.destinationPort == port else { return false }
        case let .nodePort(port):
            guard entry.original.destinationPort == port else { return false }
        }
        guard let endpoint else { return true }
        return entry.reply.source == endpoint.ip && entry.reply.sourcePort == endpoint.port
    }

    /// The `conntrack -D` arguments that delete the same entries, for logs.
    public var description: String {
        var words = ["-p udp"]
        switch destination {
        case let .serviceIP(ip, port): words += ["--orig-dst \(ip)", "--orig-port-dst \(port)"]
        case let .nodePort(port): words.append("--orig-port-dst \(port)")
        }
        if let endpoint { words += ["--reply-src \(endpoint.ip)", "--reply-port-src \(endpoint.port)"] }
        return words.joined(separator: " ")
    }

    /// By destination, then all flows before the flows of one endpoint.
    public static func < (lhs: ConntrackFilter, rhs: ConntrackFilter) -> Bool {
        if lhs.destination != rhs.destination { return lhs.destination < rhs.destination }
        switch (lhs.endpoint, rhs.endpoint) {
        case (nil, nil), (_, nil): return false
        case (nil, _): return true
        case let (left?, right?): return left < right
        }
    }
}
