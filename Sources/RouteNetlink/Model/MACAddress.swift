/// An Ethernet (link-layer) address such as a VTEP's `aa:bb:cc:dd:ee:ff`.
public struct MACAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The six bytes in wire order.
    public let bytes: [UInt8]

    /// - Parameter bytes: exactly six.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (either case).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    /// A random unicast, locally administered address, as the kernel gives a new vxlan device.
    public static func randomLocal() -> MACAddress {
        var bytes = (0..<6).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = (bytes[0] & 0xfe) | 0x02
        return MACAddress(bytes: bytes)!
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
