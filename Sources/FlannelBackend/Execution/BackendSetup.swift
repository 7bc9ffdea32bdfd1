import RouteNetlink

/// What a backend's set-up tells the rest of the agent: the MTU for pods (`FLANNEL_MTU`) and
/// what our lease publishes in `BackendType` and `BackendData`.
public struct BackendSetup: Sendable, Hashable {
    /// `host-gw` or `vxlan`.
    public var backendType: String
    /// The pod network's MTU: the underlay's, less 50 for vxlan.
    public var mtu: UInt32
    /// The underlay interface.
    public var underlay: Link
    /// The vxlan device's MAC (`BackendData.VtepMAC`), nil for host-gw.
    public var vtepMAC: MACAddress?
    /// The VNI (`BackendData.VNI`), nil for host-gw.
    public var vni: UInt32?

    /// `BackendData` as the lease's JSON holds it: `{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}`
    /// for vxlan, `null` for host-gw (flanneld writes no data for it).
    public var backendDataJSON: String {
        guard let vtepMAC, let vni else { return "null" }
        return "{\"VNI\":\(vni),\"VtepMAC\":\"\(vtepMAC)\"}"
    }
}
