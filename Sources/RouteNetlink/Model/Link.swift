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

/// What distinguishes one vxlan device from another: what flannel compares before it keeps an
/// existing `flannel.<VNI>` (`ip -d link show` prints these as `vxlan id 1 local 192.168.1.5
/// dev eth0 dstport 8472 nolearning`).
public struct VXLANAttributes: Sendable, Hashable {
    /// The VNI (`id`).
    public var id: UInt32
    /// The source address of the encapsulated packets (`local`).
    public var local: IPv4Address?
    /// The index of the underlay interface (`dev`).
    public var underlayIndex: Int32?
    /// The UDP port (`dstport`); 8472 is the Linux kernel's default and flannel's.
    public var port: UInt16
    /// Whether the device learns remote MACs from received packets; flannel turns it off.
    public var learning: Bool

    public init(id: UInt32, local: IPv4Address?, underlayIndex: Int32?, port: UInt16, learning: Bool) {
        self.id = id
        self.local = local
        self.underlayIndex = underlayIndex
        self.port = port
        self.learning = learning
    }
}

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
