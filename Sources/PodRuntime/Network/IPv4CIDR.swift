/// An IPv4 network in CIDR notation, normalised to its network address.
struct IPv4CIDR: Sendable, Hashable, CustomStringConvertible {
    var network: UInt32
    var prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let length = Int(parts[1]), (0...32).contains(length),
            let address = Self.parse(String(parts[0]))
        else { return nil }
        let mask: UInt32 = length == 0 ? 0 : UInt32.max << (32 - length)
        network = address & mask
        prefixLength = length
    }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 != nil }) else { return nil }
        return octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1!) }
    }

    static func format(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
    }

    /// The address `offset` past the network address.
    func address(at offset: UInt32) -> String { Self.format(network &+ offset) }

    var description: String { "\(Self.format(network))/\(prefixLength)" }
}
