import RouteNetlink

/// The vxlan backend's settings (flannel's `Backend` keys).
public struct VXLANSettings: Sendable, Hashable {
    /// `VNI`, default 1: the device is `flannel.<VNI>`.
    public var vni: UInt32
    /// `Port`; 0 means the Linux kernel's default, 8472.
    public var port: UInt16
    /// `MTU` of the underlay to subtract the 50 bytes of encapsulation from; nil takes the
    /// underlay interface's MTU.
    public var underlayMTU: UInt32?
    /// Where the device's MAC is kept across reboots (the device itself keeps it across
    /// restarts of the agent); nil keeps it only with the device.
    public var macStateFile: String?
    /// The MAC for a new device when neither a device nor the state file has one: the one
    /// `BackendExecutor.vtepMAC(for:netlink:)` chose before the lease was acquired.
    public var vtepMAC: MACAddress?

    public init(
        vni: UInt32 = 1, port: UInt16 = 0, underlayMTU: UInt32? = nil, macStateFile: String? = nil, vtepMAC: MACAddress? = nil
    ) {
        self.vtepMAC = vtepMAC
        self.vni = vni
        self.port = port
        self.underlayMTU = underlayMTU
        self.macStateFile = macStateFile
    }

    /// The device name: `flannel.1` for VNI 1.
    public var deviceName: String { "flannel.\(vni)" }

    /// The UDP port the device uses.
    public var effectivePort: UInt16 { port == 0 ? 8472 : port }

    /// vxlan's overhead on IPv4: outer IP 20 + UDP 8 + vxlan 8 + inner Ethernet 14.
    public static let encapsulationOverhead: UInt32 = 50
}
