/// The vxlan keys of `Backend` (flannel pkg/backend/vxlan), with flannel's defaults.
public struct VXLANSettings: Sendable, Hashable {
    /// VXLAN network identifier; the device is `flannel.<vni>`.
    public var vni: Int = 1
    /// UDP port; 0 leaves the kernel's default (8472 on Linux).
    public var port: Int = 0
    /// Device MTU override; nil means the external interface's MTU minus 50 (the backend decides).
    public var mtu: Int?
    /// Group-based policy extension.
    public var gbp: Bool = false
    /// Route directly via the PublicIP when the peer shares our L2 subnet.
    public var directRouting: Bool = false
    /// Kernel learning on the vxlan device (flannel: false).
    public var learning: Bool = false

    public init(vni: Int = 1, port: Int = 0, mtu: Int? = nil, gbp: Bool = false, directRouting: Bool = false, learning: Bool = false) {
        self.vni = vni
        self.port = port
        self.mtu = mtu
        self.gbp = gbp
        self.directRouting = directRouting
        self.learning = learning
    }

    /// The device flannel names after the VNI.
    public var deviceName: String { "flannel.\(vni)" }
}
