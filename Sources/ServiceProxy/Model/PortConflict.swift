/// Two services claiming the same cluster IP, or the same NodePort. The API server never allows
/// it (it allocates each cluster IP and NodePort once); manifests on disk can. The service that
/// sorts first (namespace, then name) keeps it; the other service (for a cluster IP) or its port
/// (for a NodePort) is left out and named here.
public struct PortConflict: Sendable, Hashable, CustomStringConvertible {
    /// The service whose port is left out.
    public var service: ServiceID
    /// Its port's position in `spec.ports`, and the field that collides; nil for `spec.clusterIP`,
    /// which leaves out every port.
    public var portIndex: Int?
    public var field: String
    public var value: String
    /// The service that keeps it.
    public var heldBy: ServiceID

    public var description: String {
        guard let portIndex else {
            return "service \(service): spec.\(field) \(value) is already used by service \(heldBy); the service is not programmed"
        }
        return "service \(service): spec.ports[\(portIndex)].\(field) \(value) is already used by service \(heldBy); the port is not programmed"
    }
}

/// What a service claims: its cluster IP (protocol and port 0) and (address 0) each port's
/// NodePort and protocol. No two services may claim the same; hashed without allocating. A
/// cluster IP is one service's, ports and all, because the slots' hairpin set is keyed by it
/// (`Ruleset.fragment`); so no two services can claim one cluster IP port either.
struct PortKey: Hashable, Sendable {
    var address: UInt32
    var proto: UInt8
    var port: UInt16

    static func clusterIP(_ service: ProxiedService) -> PortKey {
        PortKey(address: service.clusterIP.value, proto: 0, port: 0)
    }

    static func nodePort(_ nodePort: UInt16, _ proto: TransportProtocol) -> PortKey {
        PortKey(address: 0, proto: proto.number, port: nodePort)
    }

    /// Every claim of `service`: its cluster IP and its ports' NodePorts.
    static func keys(of service: ProxiedService) -> [PortKey] {
        [clusterIP(service)] + service.ports.compactMap { port in port.nodePort.map { nodePort($0, port.protocol) } }
    }
}

extension ServiceProxyState {
    /// The ports left out by `withoutConflicts()`; empty for any state the API server accepts.
    public var conflicts: [PortConflict] { resolveConflicts().conflicts }

    /// The state with the services and ports that collide with another service's taken away
    /// (see `PortConflict`); the same state when nothing collides, which costs one hash lookup
    /// per cluster IP and NodePort.
    public func withoutConflicts() -> ServiceProxyState { resolveConflicts().state }

    func resolveConflicts() -> (state: ServiceProxyState, conflicts: [PortConflict]) {
        var seen = Set<PortKey>()
        var collides = false
        outer: for service in services {
            for key in PortKey.keys(of: service) where !seen.insert(key).inserted {
                collides = true
                break outer
            }
        }
        guard collides else { return (self, []) }

        var owners: [PortKey: ServiceID] = [:]
        var conflicts: [PortConflict] = []
        var resolved = self
        resolved.services = services.sorted { $0.id < $1.id }.map { service in
            var kept = service
            kept.ports = []
            let address = PortKey.clusterIP(service)
            if let owner = owners[address], owner != service.id {
                conflicts.append(
                    PortConflict(service: service.id, portIndex: nil, field: "clusterIP", value: "\(service.clusterIP)", heldBy: owner))
                return kept
            }
            owners[address] = service.id
            for (index, port) in service.ports.enumerated() {
                var port = port
                if let nodePort = port.nodePort {
                    let nodeKey = PortKey.nodePort(nodePort, port.protocol)
                    if let owner = owners[nodeKey], owner != service.id {
                        conflicts.append(
                            PortConflict(
                                service: service.id, portIndex: index, field: "nodePort",
                                value: "\(nodePort)/\(port.protocol.rawValue)", heldBy: owner))
                        port.nodePort = nil
                    } else {
                        owners[nodeKey] = service.id
                    }
                }
                kept.ports.append(port)
            }
            return kept
        }
        return (resolved, conflicts)
    }
}
