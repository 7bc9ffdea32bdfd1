import IPv4

/// Chooses the subnet to lease, as flanneld does: the lease that already holds our PublicIP;
/// else the previous subnet if nobody holds it and the config admits it; else one at random
/// among the first 100 free subnets from SubnetMin.
public enum LeasePlanner {
    /// flannel picks among at most this many free subnets.
    public static let candidateLimit = 100

    /// - Parameters:
    ///   - random: returns a number in `0..<n`; injected so tests choose.
    /// - Throws: ``LeasePlanError/outOfSubnets(network:subnetMin:subnetMax:subnetLength:leased:)``.
    public static func plan(
        config: NetworkConfig, leases: [SubnetLease], publicIP: IPv4Address, previous: IPv4Subnet?,
        random: (Int) -> Int = { Int.random(in: 0..<$0) }
    ) throws(LeasePlanError) -> LeasePlan {
        var incompatible: SubnetLease?
        if let ours = leases.first(where: { $0.attributes.publicIP == publicIP }) {
            if config.admits(ours.subnet) {
                return LeasePlan(deleteIncompatible: nil, action: .reuse(ours))
            }
            incompatible = ours
        }

        var ignored: String?
        if let previous {
            if leases.contains(where: { $0.subnet == previous }) {
                ignored = "previous subnet \(previous) is leased by another node"
            } else if !config.admits(previous) {
                ignored = "previous subnet \(previous) does not fit the network config (\(config.network), /\(config.subnetLength), \(config.subnetMin)...\(config.subnetMax))"
            } else {
                return LeasePlan(deleteIncompatible: incompatible, action: .create(previous, origin: .previous))
            }
        }

        let free = freeSubnets(config: config, leases: leases, limit: candidateLimit)
        guard !free.isEmpty else {
            throw .outOfSubnets(
                network: config.network, subnetMin: config.subnetMin, subnetMax: config.subnetMax,
                subnetLength: config.subnetLength, leased: leases.count)
        }
        return LeasePlan(deleteIncompatible: incompatible, action: .create(free[random(free.count)], origin: .random), previousIgnored: ignored)
    }

    /// Subnets of SubnetLen from SubnetMin to SubnetMax that overlap no lease, in order, at most `limit`.
    public static func freeSubnets(config: NetworkConfig, leases: [SubnetLease], limit: Int) -> [IPv4Subnet] {
        let taken = leases.map(\.subnet).sorted()
        var free: [IPv4Subnet] = []
        var candidate: IPv4Subnet? = IPv4Subnet(address: config.subnetMin, prefixLength: config.subnetLength)
        var cursor = 0
        while let subnet = candidate, subnet.address <= config.subnetMax, free.count < limit {
            // Leases sorted by address: skip those wholly below the candidate.
            while cursor < taken.count, taken[cursor].lastAddress < subnet.address { cursor += 1 }
            var clash = false
            var index = cursor
            while index < taken.count, taken[index].address <= subnet.lastAddress {
                if taken[index].overlaps(subnet) { clash = true; break }
                index += 1
            }
            // A shorter lease that began before the candidate and covers it.
            if !clash, taken.contains(where: { $0.prefixLength < subnet.prefixLength && $0.overlaps(subnet) }) { clash = true }
            if !clash { free.append(subnet) }
            candidate = subnet.next
        }
        return free
    }
}
