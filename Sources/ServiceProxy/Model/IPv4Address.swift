/// An IPv4 address, kept as its four bytes in network order.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address as a host-order integer: 10.0.0.1 is 0x0a000001.
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text (`10.254.0.10`); nil for anything else, IPv6 included.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let octet = UInt8(part) else { return nil }
            result = result << 8 | UInt32(octet)
        }
        value = result
    }

    /// The four bytes as they travel on the wire.
    public var networkBytes: [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 network such as the cluster CIDR `10.244.0.0/16`.
public struct IPv4CIDR: Sendable, Hashable, CustomStringConvertible {
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
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let address = parts.first.flatMap({ IPv4Address($0) }) else { return nil }
        switch parts.count {
        case 1: self.init(address, prefixLength: 32)
        case 2:
            guard let length = Int(parts[1]) else { return nil }
            self.init(address, prefixLength: length)
        default: return nil
        }
    }

    /// The netmask as a host-order integer (/16 is 0xffff0000).
    public var mask: UInt32 { IPv4CIDR.mask(prefixLength) }

    public func contains(_ candidate: IPv4Address) -> Bool { candidate.value & mask == address.value }

    public var description: String { "\(address)/\(prefixLength)" }

    private static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }
}
