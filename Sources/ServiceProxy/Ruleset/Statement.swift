import IPv4

/// The part of nft's language the service proxy uses. Each case renders as the text `nft list`
/// prints for it and lowers to the netlink expressions `nft` emits for that text (the
/// expressions are in `Statement+Netlink.swift`).
public enum Statement: Sendable, Hashable {
    /// Which address of the IPv4 header.
    public enum AddressField: String, Sendable, Hashable {
        case saddr
        case daddr

        /// Offset in the IPv4 header.
        var offset: UInt32 { self == .saddr ? 12 : 16 }
    }

    /// Equality or inequality in a match.
    public enum Comparison: Sendable, Hashable {
        case equal
        case notEqual
    }

    /// One field of a concatenated lookup key.
    public enum KeyField: Sendable, Hashable {
        /// `ip daddr`.
        case ipDaddr
        /// `ip saddr`.
        case ipSaddr
        /// `meta l4proto`.
        case l4proto
        /// `th dport`: the destination port of any transport header.
        case thDport
        /// `ct original ip daddr`: the destination the connection was opened to, before DNAT.
        case ctOriginalIpDaddr
        /// `numgen random mod N`: a number drawn afresh for each packet, 0 ..< N.
        case numgenRandom(modulus: UInt32)
    }

    // Matches.

    /// `ct state new`.
    case ctStateNew
    /// `fib daddr type local`: the destination is an address of this host.
    case fibDaddrTypeLocal
    /// `ip daddr 10.254.0.10`, `ip saddr != 10.244.0.0/16`; a /32 prints as an address.
    case ip(AddressField, Comparison, IPv4CIDR)
    /// `meta l4proto tcp`.
    case l4proto(TransportProtocol)
    /// `tcp dport 80`.
    case dport(TransportProtocol, UInt16)
    /// `meta mark & 0x00004000 == 0x00000000`.
    case markAnd(mask: UInt32, equals: UInt32)
    /// `numgen random mod 3 0`: true for one packet in `modulus`, drawn afresh by each rule.
    case numgenRandomIsZero(modulus: UInt32)

    // Dispatch.

    /// `ip daddr . meta l4proto . th dport vmap @service-ips`.
    case vmap(key: [KeyField], map: String)
    /// `ip daddr . meta l4proto . th dport @cluster-ips`, `ip saddr @affinity-...`: the key is in
    /// the set.
    case lookup(key: [KeyField], set: String)

    // Statements.

    /// `meta mark set meta mark | 0x00004000`.
    case setMarkOr(UInt32)
    /// `meta mark set meta mark ^ 0x00004000`.
    case setMarkXor(UInt32)
    /// `update @set { ip saddr }`: add or refresh the source address in a dynamic set.
    case update(set: String, key: AddressField)
    /// `masquerade fully-random` (or plain `masquerade`).
    case masquerade(fullyRandom: Bool)
    /// `reject`: ICMP port unreachable, which a TCP client sees as "connection refused".
    case reject
    /// `dnat to 10.244.1.5:6379`.
    case dnat(IPv4Address, UInt16)
    /// `dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @cluster-backends-2`:
    /// to the address and port the key maps to; no match when the map has no such key.
    case dnatMap(key: [KeyField], map: String)
    /// `accept`, `drop`, `return`, `jump c`, `goto c`.
    case verdict(Verdict)

    /// Chains reached from this statement.
    public var referencedChains: [String] {
        switch self {
        case .verdict(let verdict): verdict.chain.map { [$0] } ?? []
        default: []
        }
    }

    /// The named set or map this statement reads or writes.
    public var referencedSet: String? {
        switch self {
        case .update(let set, _), .lookup(_, let set): set
        case .vmap(_, let map), .dnatMap(_, let map): map
        default: nil
        }
    }
}

extension Statement.KeyField {
    /// The type of the value the field loads, as a set keyed by it declares it.
    public var dataType: NamedSet.DataType {
        switch self {
        case .ipDaddr, .ipSaddr, .ctOriginalIpDaddr: .ipv4Address
        case .l4proto: .inetProto
        case .thDport: .inetService
        case .numgenRandom: .integer
        }
    }
}
