/// A vxlan device to create (`ip link add NAME mtu M address MAC type vxlan id ... nolearning`).
public struct VXLANLinkSpec: Sendable, Hashable {
    public var name: String
    public var attributes: VXLANAttributes
    public var mtu: UInt32
    /// Nil lets the kernel choose a random one.
    public var address: MACAddress?

    public init(name: String, attributes: VXLANAttributes, mtu: UInt32, address: MACAddress?) {
        self.name = name
        self.attributes = attributes
        self.mtu = mtu
        self.address = address
    }
}
