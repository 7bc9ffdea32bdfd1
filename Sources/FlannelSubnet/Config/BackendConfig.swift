/// The `Backend` object of flannel's network config: how traffic between nodes' subnets moves.
/// clc-node carries the two kernel-only backends; flannel's userspace `udp` is refused.
public enum BackendConfig: Sendable, Hashable {
    /// A route to each remote subnet via the node's PublicIP (nodes share an L2 segment).
    case hostGateway
    /// Encapsulation in VXLAN through the device `flannel.<VNI>`.
    case vxlan(VXLANSettings)

    /// The `Backend.Type` string flannel writes into leases' `BackendType`.
    public var typeName: String {
        switch self {
        case .hostGateway: "host-gw"
        case .vxlan: "vxlan"
        }
    }
}
