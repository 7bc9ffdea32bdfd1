import RouteNetlink

/// The changes that turn what the kernel lists into the plan, touching only entries the backend
/// owns. Pure, table-tested.
///
/// Ownership: a route is ours when it carries our protocol number (`Route.clcNodeProtocol`) in
/// the main table and lies inside the flannel network; neighbour and FDB entries are ours when
/// they are permanent entries on the vxlan device, which is ours. A route of someone else to a
/// leased subnet is replaced (flannel does the same), never deleted.
public enum RoutingDiff {
    /// - Parameters:
    ///   - network: the flannel network: routes outside it are never ours.
    ///   - vxlanDevice: the vxlan device's index, nil for host-gw (then no neighbour or FDB
    ///     entry is touched).
    /// - Returns: in flannel's order: neighbours, FDB entries, then routes are replaced; routes,
    ///   FDB entries, then neighbours are deleted, so no route ever points at a missing
    ///   neighbour.
    public static func changes(
        plan: RoutingPlan, network: IPv4Network, vxlanDevice: Int32?, routes: [Route], neighbours: [Neighbour],
        fdbEntries: [FDBEntry]
    ) -> [RoutingChange] {
        let ownedRoutes = routes.filter {
            $0.protocolNumber == Route.clcNodeProtocol && $0.table == Route.mainTable && network.contains($0.destination)
        }
        let route = diff(desired: plan.routes, existing: routes, owned: ownedRoutes, key: \.destination)
        var neighbour = (replace: [Neighbour](), delete: [Neighbour]())
        var fdb = (replace: [FDBEntry](), delete: [FDBEntry]())
        if let device = vxlanDevice {
            let onDevice = neighbours.filter { $0.linkIndex == device }
            neighbour = diff(desired: plan.neighbours, existing: onDevice, owned: onDevice.filter(\.isPermanent), key: \.address)
            let fdbOnDevice = fdbEntries.filter { $0.linkIndex == device }
            fdb = diff(desired: plan.fdbEntries, existing: fdbOnDevice, owned: fdbOnDevice.filter(\.isPermanent), key: \.mac)
        }
        return route.delete.map(RoutingChange.deleteRoute) + fdb.delete.map(RoutingChange.deleteFDB)
            + neighbour.delete.map(RoutingChange.deleteNeighbour) + neighbour.replace.map(RoutingChange.replaceNeighbour)
            + fdb.replace.map(RoutingChange.replaceFDB) + route.replace.map(RoutingChange.replaceRoute)
    }

    /// Entries of `desired` the kernel does not hold as they are (by key), and owned entries
    /// whose key nothing desires.
    static func diff<Entry: Hashable, Key: Hashable>(
        desired: [Entry], existing: [Entry], owned: [Entry], key: (Entry) -> Key
    ) -> (replace: [Entry], delete: [Entry]) {
        let present = Set(existing)
        let wanted = Set(desired.map(key))
        let replace = desired.filter { !present.contains($0) }
        var seen = Set<Entry>()
        let delete = owned.filter { !wanted.contains(key($0)) && seen.insert($0).inserted }
        return (replace, delete)
    }
}
