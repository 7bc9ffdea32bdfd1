/// What the backend decides before the lease is acquired (flannel's RegisterNetwork): the
/// `BackendData` the lease publishes (vxlan: VNI and VtepMAC) and the MTU of the pod network.
public struct BackendPreparation: Sendable, Hashable {
    public var backendData: JSONValue?
    /// FLANNEL_MTU.
    public var mtu: Int

    public init(backendData: JSONValue? = nil, mtu: Int) {
        self.backendData = backendData
        self.mtu = mtu
    }

    /// Without a backend to ask: host-gw keeps a 1500-byte underlay's MTU, vxlan takes 50 off
    /// it (or uses Backend.MTU minus 50), and no BackendData is published.
    public static func defaults(for config: NetworkConfig, underlayMTU: Int = 1500) -> BackendPreparation {
        switch config.backend {
        case .hostGateway: BackendPreparation(mtu: underlayMTU)
        case let .vxlan(settings): BackendPreparation(mtu: (settings.mtu ?? underlayMTU) - 50)
        }
    }
}
