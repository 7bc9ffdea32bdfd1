import IPv4

/// flannel's network config (`<prefix>/config`) after defaults and checks: the cluster's pod
/// network, how it is cut into per-node subnets, and the backend.
public struct NetworkConfig: Sendable, Hashable {
    /// The whole flannel network (`FLANNEL_NETWORK`).
    public var network: IPv4Subnet
    /// Prefix length of each node's subnet.
    public var subnetLength: Int
    /// First and last subnet addresses a node may lease (inclusive).
    public var subnetMin: IPv4Address
    public var subnetMax: IPv4Address
    public var backend: BackendConfig

    public init(network: IPv4Subnet, subnetLength: Int, subnetMin: IPv4Address, subnetMax: IPv4Address, backend: BackendConfig) {
        self.network = network
        self.subnetLength = subnetLength
        self.subnetMin = subnetMin
        self.subnetMax = subnetMax
        self.backend = backend
    }

    /// Whether a subnet may be leased under this config (flannel's isSubnetConfigCompat): its
    /// length is SubnetLen and it starts within SubnetMin...SubnetMax.
    public func admits(_ subnet: IPv4Subnet) -> Bool {
        subnet.prefixLength == subnetLength && subnet.address >= subnetMin && subnet.address <= subnetMax
    }
}
