import IPv4

/// One flow in the kernel's connection tracking table, as `conntrack -L` shows it: the tuple
/// of the original direction (what the client sent) and of the reply direction (what the peer
/// answers from; after DNAT its source is the endpoint).
public struct ConntrackEntry: Sendable, Hashable, CustomStringConvertible {
    /// Addresses and ports of one direction. Ports are 0 for protocols without them (ICMP).
    public struct Tuple: Sendable, Hashable {
        public var source: IPv4Address
        public var destination: IPv4Address
        public var sourcePort: UInt16
        public var destinationPort: UInt16

        public init(source: IPv4Address, destination: IPv4Address, sourcePort: UInt16, destinationPort: UInt16) {
            self.source = source
            self.destination = destination
            self.sourcePort = sourcePort
            self.destinationPort = destinationPort
        }
    }

    /// The IP protocol number (17 for UDP), the same in both directions.
    public var protocolNumber: UInt8
    public var original: Tuple
    public var reply: Tuple
    /// The conntrack zone (`ct zone set`); 0 for the default zone, where the proxy's flows are.
    public var zone: UInt16
    /// The kernel's id of this entry (CTA_ID). A deletion carrying it removes this entry only,
    /// not a newer flow that reuses the tuple in the meantime. Nil when not known.
    public var id: UInt32?

    public init(protocolNumber: UInt8, original: Tuple, reply: Tuple, zone: UInt16 = 0, id: UInt32? = nil) {
        self.protocolNumber = protocolNumber
        self.original = original
        self.reply = reply
        self.zone = zone
        self.id = id
    }

    /// A UDP entry, for tests and fakes.
    public static func udp(
        _ source: IPv4Address, _ sourcePort: UInt16, to destination: IPv4Address, _ destinationPort: UInt16,
        repliedBy replier: IPv4Address? = nil, _ replierPort: UInt16? = nil, zone: UInt16 = 0
    ) -> ConntrackEntry {
        ConntrackEntry(
            protocolNumber: TransportProtocol.udp.number,
            original: Tuple(source: source, destination: destination, sourcePort: sourcePort, destinationPort: destinationPort),
            reply: Tuple(
                source: replier ?? destination, destination: source, sourcePort: replierPort ?? destinationPort,
                destinationPort: sourcePort),
            zone: zone)
    }

    /// `conntrack -L`'s spelling: `udp src=… dst=… sport=… dport=… src=… dst=… sport=… dport=…`.
    public var description: String {
        let name =
            switch protocolNumber {
            case 1: "icmp"
            case 6: "tcp"
            case 17: "udp"
            default: "proto \(protocolNumber)"
            }
        func text(_ tuple: Tuple) -> String {
            "src=\(tuple.source) dst=\(tuple.destination) sport=\(tuple.sourcePort) dport=\(tuple.destinationPort)"
        }
        return "\(name) \(text(original)) \(text(reply))" + (zone == 0 ? "" : " zone=\(zone)")
    }
}
