import IPv4

/// An IPv4 network in CIDR form (`10.1.15.0/24`), flannel's `ip.IP4Net`: the agent's one network
/// type, `IPv4CIDR`, with what flannel's leases need of it.
public typealias IPv4Subnet = IPv4CIDR

extension IPv4CIDR {
    /// - Precondition: `prefixLength` in 0...32.
    public init(address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength), "prefix length \(prefixLength)")
        self.init(address, prefixLength: prefixLength)!
    }

    /// Parses `a.b.c.d/n` and nothing else (a bare address is no network to flannel), as Go's
    /// `net.ParseCIDR`; host bits are cleared.
    public init?(requiringPrefix text: some StringProtocol) {
        guard text.contains("/"), text.allSatisfy(\.isASCII), let (address, length) = IPv4Address.withPrefixLength(text)
        else { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// Number of addresses (2^(32-len)), as a UInt64 so a /0 fits.
    public var size: UInt64 { 1 << UInt64(32 - prefixLength) }
    /// The last address of the network.
    public var lastAddress: IPv4Address { IPv4Address(address.value | ~mask) }

    public func overlaps(_ other: IPv4CIDR) -> Bool {
        let shorter = IPv4CIDR.mask(min(prefixLength, other.prefixLength))
        return address.value & shorter == other.address.value & shorter
    }

    /// The subnet of the same length right after this one, nil past 255.255.255.255.
    public var next: IPv4CIDR? {
        let (value, overflow) = address.value.addingReportingOverflow(UInt32(truncatingIfNeeded: size))
        return overflow || prefixLength == 0 ? nil : IPv4CIDR(address: IPv4Address(value), prefixLength: prefixLength)
    }

    /// The first host address (`.1` of a /24): the bridge's gateway, `FLANNEL_SUBNET`'s address.
    public var gateway: IPv4Address { address(at: 1) }

    /// The key flannel gives a lease under `<prefix>/subnets/`: `10.1.15.0-24`.
    public var leaseKeyName: String { "\(address)-\(prefixLength)" }

    /// Parses a lease key's last component (`10.1.15.0-24`, or flannel's dual-stack form
    /// `10.1.15.0-24&fc00::-64`, whose IPv6 part clc-node ignores); nil when it is no subnet.
    public init?(leaseKeyName name: some StringProtocol) {
        let v4 = name.split(separator: "&", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = v4.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), let length = Int(parts[1]), (0...32).contains(length),
            address.value & IPv4CIDR.mask(length) == address.value
        else { return nil }
        self.init(address: address, prefixLength: length)
    }
}
