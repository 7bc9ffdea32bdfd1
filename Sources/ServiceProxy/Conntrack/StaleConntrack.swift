/// Which UDP conntrack entries a sync makes stale, as kube-proxy's `CleanStaleEntries` decides
/// it (`deleteStaleEndpointConntrackEntries` and `deleteStaleServiceConntrackEntries`).
///
/// Conntrack keeps sending a UDP flow where its first packet went for as long as the client
/// keeps sending, whatever the rules say now. So after the rules change:
///
/// - an endpoint removed from a UDP service port: the flows DNATed to it, by cluster IP:port and
///   by NodePort, are deleted, or the client keeps sending to a gone pod;
/// - a UDP service port going from no endpoints to some (newly active): every flow to its
///   cluster IP:port and NodePort is deleted, as those were made while nothing could answer
///   (before the rules existed, or not NATed) and would keep their packets from being DNATed;
/// - a UDP service port removed (the service deleted, the port dropped, its cluster IP,
///   number or NodePort changed): every flow to what it served is deleted.
///
/// The comparison is by frontend (cluster IP:port, NodePort) rather than by service name, so a
/// NodePort handed from one service to another counts as its endpoints changing. One deliberate
/// difference from kube-proxy: a flow is matched on the endpoint's port as well as its address
/// (`--reply-port-src`), so an endpoint that keeps its address and changes its port loses only
/// its old flows.
public enum StaleConntrack {
    /// The filters selecting the entries that the change from `old` to `new` makes stale.
    ///
    /// - Parameters:
    ///   - old: the state the rules were synced to before; an empty state on the first sync,
    ///     which (as in kube-proxy) makes every UDP service port with endpoints newly active and
    ///     so flushes whatever flows a previous run left to it.
    ///   - new: the state the rules were just synced to. Call after the rules are applied, so
    ///     that a deleted flow's next packet meets the new rules.
    /// - Returns: sorted, without duplicates; empty when nothing about UDP service ports changed.
    public static func filters(from old: ServiceProxyState, to new: ServiceProxyState) -> [ConntrackFilter] {
        let before = udpFrontends(of: old)
        let after = udpFrontends(of: new)
        var filters = Set<ConntrackFilter>()
        for (destination, endpoints) in before {
            guard let remaining = after[destination] else {
                filters.insert(ConntrackFilter(destination: destination))
                continue
            }
            for endpoint in endpoints.subtracting(remaining) {
                filters.insert(.udpNATed(to: endpoint, via: destination))
            }
        }
        for (destination, endpoints) in after where !endpoints.isEmpty && before[destination]?.isEmpty ?? true {
            filters.insert(ConntrackFilter(destination: destination))
        }
        return filters.sorted()
    }

    /// Every frontend of a UDP service port with the endpoints behind it.
    private static func udpFrontends(of state: ServiceProxyState) -> [ConntrackFilter.Destination: Set<ConntrackFilter.Endpoint>] {
        var frontends: [ConntrackFilter.Destination: Set<ConntrackFilter.Endpoint>] = [:]
        for service in state.services {
            for port in service.ports where port.protocol == .udp {
                let endpoints = Set((service.endpoints[port.name] ?? []).map(ConntrackFilter.Endpoint.init))
                frontends[.serviceIP(service.clusterIP, port: port.port), default: []].formUnion(endpoints)
                if let nodePort = port.nodePort {
                    frontends[.nodePort(nodePort), default: []].formUnion(endpoints)
                }
            }
        }
        return frontends
    }
}
