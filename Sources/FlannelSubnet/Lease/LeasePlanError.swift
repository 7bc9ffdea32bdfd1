import IPv4

/// Why no lease could be planned.
public enum LeasePlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every subnet between SubnetMin and SubnetMax is leased.
    case outOfSubnets(network: IPv4Subnet, subnetMin: IPv4Address, subnetMax: IPv4Address, subnetLength: Int, leased: Int)

    public var description: String {
        switch self {
        case let .outOfSubnets(network, min, max, length, leased):
            "out of subnets: every /\(length) of \(network) from SubnetMin \(min) to SubnetMax \(max) is leased (\(leased) leases)"
        }
    }
}
