import IPv4
import RouteNetlink

/// Another node's lease (`<prefix>/subnets/10.1.20.0-24` in etcd): the caller maps the lease
/// module's type to this one.
public struct RemoteLease: Sendable, Hashable {
    public var subnet: IPv4Network
    public var publicIP: IPv4Address
    /// The lease's `BackendType`: `host-gw`, `vxlan`, `udp`...
    public var backendType: String
    /// `BackendData.VtepMAC` of a vxlan lease, as the lease holds it (`aa:bb:cc:dd:ee:ff`).
    public var vtepMAC: String?

    public init(subnet: IPv4Network, publicIP: IPv4Address, backendType: String, vtepMAC: String? = nil) {
        self.subnet = subnet.network
        self.publicIP = publicIP
        self.backendType = backendType
        self.vtepMAC = vtepMAC
    }
}
