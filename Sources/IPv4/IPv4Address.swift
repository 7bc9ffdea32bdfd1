/// An IPv4 address, kept as a host-order integer (10.0.0.1 is 0x0a000001), so subnets are walked
/// with integer arithmetic (flannel's `ip.IP4`) and netlink and nftables get its bytes in
/// network order. The one address type of the proxy, the flannel lease and rtnetlink.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
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

    /// The address of four bytes in network order (a netlink attribute); nil for any other length.
    public init?(networkBytes bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 4 else { return nil }
        value = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
    }

    /// The four bytes as they travel on the wire and in netlink attributes (network order).
    public var networkBytes: [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
