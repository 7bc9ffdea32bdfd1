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
