import IPv4

/// An IPv4 network (`10.1.15.0/24`), or an address with its prefix length on an interface.
public struct IPv4Network: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address as given; `network` clears the host bits.
    public var address: IPv4Address
    public var prefixLength: Int

    /// - Parameter prefixLength: 0 through 32.
    public init?(_ address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// The network `cidr` (host bits cleared, as a CIDR's are).
    public init(_ cidr: IPv4CIDR) {
        self.init(unchecked: cidr.address, cidr.prefixLength)
    }

    /// Parses `10.1.15.0/24`; a bare address is a /32.
    public init?(_ text: some StringProtocol) {
        guard let (address, length) = IPv4Address.withPrefixLength(text) else { return nil }
        self.init(address, prefixLength: length)
    }

    /// The netmask as a host-order integer (/16 is 0xffff0000).
    public var mask: UInt32 { IPv4CIDR.mask(prefixLength) }

    /// The network itself: host bits cleared (`10.1.15.0/24` for `10.1.15.7/24`).
    public var network: IPv4Network { IPv4Network(cidr) }

    public func contains(_ candidate: IPv4Address) -> Bool { cidr.contains(candidate) }

    /// Whether `other` lies wholly inside this network.
    public func contains(_ other: IPv4Network) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// The network as the proxy and the pod network name one: host bits cleared.
    public var cidr: IPv4CIDR { IPv4CIDR(address, prefixLength: prefixLength)! }

    public static func < (lhs: IPv4Network, rhs: IPv4Network) -> Bool {
        (lhs.address, lhs.prefixLength) < (rhs.address, rhs.prefixLength)
    }

    init(unchecked address: IPv4Address, _ prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }
}
