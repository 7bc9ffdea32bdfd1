/// A network interface as the kernel lists it (RTM_NEWLINK).
public struct Link: Sendable, Hashable {
    public var index: Int32
    public var name: String
    public var mtu: UInt32
    /// IFF_UP is set.
    public var isUp: Bool
    public var address: MACAddress?
    /// `IFLA_INFO_KIND`: `vxlan`, `veth`, `bridge`...; nil for a plain device.
    public var kind: String?
    /// The vxlan settings, for a vxlan device.
    public var vxlan: VXLANAttributes?

    public init(
        index: Int32, name: String, mtu: UInt32, isUp: Bool, address: MACAddress?, kind: String? = nil,
        vxlan: VXLANAttributes? = nil
    ) {
        self.index = index
        self.name = name
        self.mtu = mtu
        self.isUp = isUp
        self.address = address
        self.kind = kind
        self.vxlan = vxlan
    }
}
