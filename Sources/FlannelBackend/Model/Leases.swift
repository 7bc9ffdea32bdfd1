import RouteNetlink

/// This node's lease as the backends need it: its subnet and the public IP other nodes reach
/// it at.
public struct LocalLease: Sendable, Hashable {
    /// The leased subnet, e.g. `10.1.15.0/24`.
    public var subnet: IPv4Network
    public var publicIP: IPv4Address

    public init(subnet: IPv4Network, publicIP: IPv4Address) {
        self.subnet = subnet.network
        self.publicIP = publicIP
    }
}

/// Another node's lease (`<prefix>/subnets/10.1.20.0-24` in etcd): the caller maps the lease
/// module's type to this one.
public struct RemoteLease: Sendable, Hashable {
    public var subnet: IPv4Network
    public var publicIP: IPv4Address
    /// The lease's `BackendType`: `host-gw`, `vxlan`, `udp`...
    public var backendType: String
    /// `BackendData.VtepMAC` of a vxlan lease, as the lease holds it (`aa:bb:cc:dd:ee:ff`).
    public var vtepMAC: String?

    public init(subnet: IPv4Network, publicIP: IPv4Address, backendType: String, vtepMAC: String? = nil) {
        self.subnet = subnet.network
        self.publicIP = publicIP
        self.backendType = backendType
        self.vtepMAC = vtepMAC
    }
}

/// A remote lease a backend cannot route, and why: logged once by the executor.
public struct IgnoredLease: Sendable, Hashable, CustomStringConvertible {
    public var subnet: IPv4Network
    public var reason: String

    public init(subnet: IPv4Network, reason: String) {
        self.subnet = subnet
        self.reason = reason
    }

    public var description: String { "lease \(subnet): \(reason)" }
}

/// The backend flannel's network config names (`Backend.Type`).
public enum BackendKind: Sendable, Hashable {
    case hostGateway
    case vxlan(VXLANSettings)

    /// The name leases carry in `BackendType`.
    public var typeName: String {
        switch self {
        case .hostGateway: "host-gw"
        case .vxlan: "vxlan"
        }
    }
}

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

    public init(vni: UInt32 = 1, port: UInt16 = 0, underlayMTU: UInt32? = nil, macStateFile: String? = nil) {
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
