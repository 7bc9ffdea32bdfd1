import IPv4

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
