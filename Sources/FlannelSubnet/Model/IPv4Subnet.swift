import IPv4

/// An IPv4 network in CIDR form (`10.1.15.0/24`), flannel's `ip.IP4Net`.
public struct IPv4Subnet: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The network address; host bits are cleared by the initialisers.
    public var address: IPv4Address
    public var prefixLength: Int

    /// - Precondition: `prefixLength` in 0...32.
    public init(address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength), "prefix length \(prefixLength)")
        self.prefixLength = prefixLength
        self.address = IPv4Address(address.value & Self.mask(prefixLength))
    }

    /// Parses `a.b.c.d/n`. Host bits are cleared, as Go's `net.ParseCIDR` does for the network.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), parts[1].allSatisfy(\.isASCII),
            let length = Int(parts[1]), (0...32).contains(length)
        else { return nil }
        self.init(address: address, prefixLength: length)
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << (32 - UInt32(length)) }

    public var mask: UInt32 { Self.mask(prefixLength) }
    /// Number of addresses (2^(32-len)), as a UInt64 so a /0 fits.
    public var size: UInt64 { 1 << UInt64(32 - prefixLength) }
    /// The last address of the network.
    public var lastAddress: IPv4Address { IPv4Address(address.value | ~mask) }

    public func contains(_ other: IPv4Address) -> Bool { other.value & mask == address.value }

    public func overlaps(_ other: IPv4Subnet) -> Bool {
        let shorter = min(prefixLength, other.prefixLength)
        let m = Self.mask(shorter)
        return address.value & m == other.address.value & m
    }

    /// The subnet of the same length right after this one, nil past 255.255.255.255.
    public var next: IPv4Subnet? {
        let (value, overflow) = address.value.addingReportingOverflow(UInt32(truncatingIfNeeded: size))
        return overflow || prefixLength == 0 ? nil : IPv4Subnet(address: IPv4Address(value), prefixLength: prefixLength)
    }

    /// The first host address (`.1` of a /24): the bridge's gateway, `FLANNEL_SUBNET`'s address.
    public var gateway: IPv4Address { IPv4Address(address.value &+ 1) }

    public var description: String { "\(address)/\(prefixLength)" }

    /// The key flannel gives a lease under `<prefix>/subnets/`: `10.1.15.0-24`.
    public var leaseKeyName: String { "\(address)-\(prefixLength)" }

    /// Parses a lease key's last component (`10.1.15.0-24`, or flannel's dual-stack form
    /// `10.1.15.0-24&fc00::-64`, whose IPv6 part clc-node ignores); nil when it is no subnet.
    public init?(leaseKeyName name: some StringProtocol) {
        let v4 = name.split(separator: "&", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = v4.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), let length = Int(parts[1]), (0...32).contains(length),
            address.value & Self.mask(length) == address.value
        else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public static func < (lhs: IPv4Subnet, rhs: IPv4Subnet) -> Bool {
        (lhs.address, lhs.prefixLength) < (rhs.address, rhs.prefixLength)
    }
}
