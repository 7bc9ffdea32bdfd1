import IPv4

/// NUD_PERMANENT: an entry the kernel never ages or probes (`nud permanent`).
public let neighbourStatePermanent: UInt16 = 0x80

/// An IPv4 neighbour entry (`ip neigh`): which MAC answers for an address on a link.
public struct Neighbour: Sendable, Hashable, CustomStringConvertible {
    public var address: IPv4Address
    public var mac: MACAddress?
    public var linkIndex: Int32
    /// NUD_* bits; `neighbourStatePermanent` for the entries the vxlan backend writes.
    public var state: UInt16

    public init(address: IPv4Address, mac: MACAddress?, linkIndex: Int32, state: UInt16 = neighbourStatePermanent) {
        self.address = address
        self.mac = mac
        self.linkIndex = linkIndex
        self.state = state
    }

    public var isPermanent: Bool { state & neighbourStatePermanent != 0 }

    public var description: String {
        "\(address) dev #\(linkIndex) lladdr \(mac.map(\.description) ?? "-")" + (isPermanent ? " PERMANENT" : "")
    }
}
