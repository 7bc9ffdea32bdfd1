import Foundation

/// One node's lease on a subnet of the flannel network: key `<prefix>/subnets/10.1.15.0-24`.
public struct SubnetLease: Sendable, Hashable {
    public var subnet: IPv4Subnet
    public var attributes: LeaseAttributes
    /// When etcd drops the key; nil when it has no TTL (a reservation an operator wrote), or
    /// when the listing did not say (etcd v3 names the lease, not its expiry).
    public var expiration: Date?
    /// False for a reservation: a key written without TTL, which flannel renews without one.
    public var hasTTL: Bool

    public init(subnet: IPv4Subnet, attributes: LeaseAttributes, expiration: Date? = nil, hasTTL: Bool = true) {
        self.subnet = subnet
        self.attributes = attributes
        self.expiration = expiration
        self.hasTTL = hasTTL
    }
}
