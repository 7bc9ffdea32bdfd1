import IPv4
import RouteNetlink

/// What the kernel should hold for the remote leases: the routes and, for vxlan, the neighbour
/// and FDB entries. Pure: computed from the leases and what the executor looked up.
public struct RoutingPlan: Sendable, Hashable {
    public var routes: [Route]
    public var neighbours: [Neighbour]
    public var fdbEntries: [FDBEntry]
    /// Leases left out, with the reason.
    public var ignored: [IgnoredLease]

    public init(routes: [Route] = [], neighbours: [Neighbour] = [], fdbEntries: [FDBEntry] = [], ignored: [IgnoredLease] = []) {
        self.routes = routes
        self.neighbours = neighbours
        self.fdbEntries = fdbEntries
        self.ignored = ignored
    }

    /// flannel's host-gw: a route to every other lease's subnet via its public IP, on the
    /// interface that reaches that IP. `reaching` holds the kernel's route to each public IP
    /// (`ip route get`, looked up by the executor). A lease whose public IP nothing reaches, or
    /// only through a gateway, is ignored: host-gw needs the nodes on one link, and the kernel
    /// would refuse the route.
    public static func hostGateway(
        local: LocalLease, remotes: [RemoteLease], reaching: [IPv4Address: Route]
    ) -> RoutingPlan {
        var plan = RoutingPlan()
        for lease in remotes.sorted(by: { $0.subnet < $1.subnet }) where lease.subnet != local.subnet {
            guard lease.backendType == "host-gw" else {
                plan.ignored.append(IgnoredLease(subnet: lease.subnet, reason: "backend type \(lease.backendType), not host-gw"))
                continue
            }
            guard let route = reaching[lease.publicIP] else {
                plan.ignored.append(IgnoredLease(subnet: lease.subnet, reason: "no interface reaches its public IP \(lease.publicIP)"))
                continue
            }
            if let gateway = route.gateway {
                plan.ignored.append(
                    IgnoredLease(
                        subnet: lease.subnet,
                        reason: "its public IP \(lease.publicIP) is reached via the gateway \(gateway), and host-gw needs the nodes on one link"))
                continue
            }
            plan.routes.append(Route(destination: lease.subnet, gateway: lease.publicIP, linkIndex: route.linkIndex))
        }
        return plan
    }

    /// flannel's vxlan: per remote vxlan lease, the neighbour entry of its VTEP address (the
    /// subnet's network address) with its VTEP MAC, the FDB entry sending that MAC to its public
    /// IP, and the route to its subnet via the VTEP address, onlink, on the vxlan device.
    public static func vxlan(local: LocalLease, remotes: [RemoteLease], deviceIndex: Int32) -> RoutingPlan {
        var plan = RoutingPlan()
        for lease in remotes.sorted(by: { $0.subnet < $1.subnet }) where lease.subnet != local.subnet {
            guard lease.backendType == "vxlan" else {
                plan.ignored.append(IgnoredLease(subnet: lease.subnet, reason: "backend type \(lease.backendType), not vxlan"))
                continue
            }
            guard let text = lease.vtepMAC, let mac = MACAddress(text) else {
                plan.ignored.append(
                    IgnoredLease(subnet: lease.subnet, reason: "BackendData.VtepMAC \(lease.vtepMAC.map { "\"\($0)\"" } ?? "absent") is not a MAC address"))
                continue
            }
            let vtep = lease.subnet.address
            plan.neighbours.append(Neighbour(address: vtep, mac: mac, linkIndex: deviceIndex))
            plan.fdbEntries.append(FDBEntry(mac: mac, destination: lease.publicIP, linkIndex: deviceIndex))
            plan.routes.append(Route(destination: lease.subnet, gateway: vtep, linkIndex: deviceIndex, onLink: true))
        }
        return plan
    }
}
