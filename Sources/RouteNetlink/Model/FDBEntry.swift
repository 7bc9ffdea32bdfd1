import IPv4

/// A bridge forwarding database entry of a vxlan device (`bridge fdb ... self`): where to send
/// the encapsulated frames for a MAC.
public struct FDBEntry: Sendable, Hashable, CustomStringConvertible {
    public var mac: MACAddress
    /// The remote VTEP's address (`dst`).
    public var destination: IPv4Address?
    public var linkIndex: Int32
    public var state: UInt16

    public init(mac: MACAddress, destination: IPv4Address?, linkIndex: Int32, state: UInt16 = neighbourStatePermanent) {
        self.mac = mac
        self.destination = destination
        self.linkIndex = linkIndex
        self.state = state
    }

    public var isPermanent: Bool { state & neighbourStatePermanent != 0 }

    public var description: String {
        "\(mac) dev #\(linkIndex)" + (destination.map { " dst \($0)" } ?? "") + " self" + (isPermanent ? " permanent" : "")
    }
}
