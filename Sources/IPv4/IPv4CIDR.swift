/// An IPv4 network such as the cluster CIDR `10.244.0.0/16`, host bits cleared: the proxy's
/// cluster CIDR, the pod network's subnet and flannel's network and leases (`IPv4Subnet`).
public struct IPv4CIDR: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The network address, host bits cleared.
    public var address: IPv4Address
    public var prefixLength: Int

    /// - Parameters:
    ///   - address: any address inside the network; host bits are cleared.
    ///   - prefixLength: 0 through 32.
    public init?(_ address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        self.address = IPv4Address(address.value & IPv4CIDR.mask(prefixLength))
    }

    /// Parses `10.244.0.0/16`; a bare address is a /32.
    public init?(_ text: some StringProtocol) {
        guard let (address, length) = IPv4Address.withPrefixLength(text) else { return nil }
        self.init(address, prefixLength: length)
    }

    /// The netmask as a host-order integer (/16 is 0xffff0000).
    public var mask: UInt32 { IPv4CIDR.mask(prefixLength) }

    public func contains(_ candidate: IPv4Address) -> Bool { candidate.value & mask == address.value }

    /// The address `offset` past the network address (`.1` is the usual gateway).
    public func address(at offset: UInt32) -> IPv4Address { IPv4Address(address.value &+ offset) }

    public var description: String { "\(address)/\(prefixLength)" }

    /// The netmask of a prefix length (0 through 32) as a host-order integer.
    public static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }

    /// By address, then by prefix length.
    public static func < (lhs: IPv4CIDR, rhs: IPv4CIDR) -> Bool {
        (lhs.address, lhs.prefixLength) < (rhs.address, rhs.prefixLength)
    }
}

extension IPv4Address {
    /// Parses `10.1.15.7/24` into the address as written and the prefix length (0 through 32);
    /// a bare address is a /32. What every network type of the agent parses.
    public static func withPrefixLength(_ text: some StringProtocol) -> (IPv4Address, Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = parts.first.flatMap({ IPv4Address($0) }) else { return nil }
        guard parts.count == 2 else { return (address, 32) }
        guard let length = Int(parts[1]), (0...32).contains(length) else { return nil }
        return (address, length)
    }
}
