import IPv4
import RouteNetlink

/// This node's lease as the backends need it: its subnet and the public IP other nodes reach
/// it at.
public struct LocalLease: Sendable, Hashable {
    /// The leased subnet, e.g. `10.1.15.0/24`.
    public var subnet: IPv4Network
    public var publicIP: IPv4Address

    public init(subnet: IPv4Network, publicIP: IPv4Address) {
        self.subnet = subnet.network
        self.publicIP = publicIP
    }
}
