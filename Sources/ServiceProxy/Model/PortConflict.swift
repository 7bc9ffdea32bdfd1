/// Two services claiming the same cluster IP, protocol and port, or the same NodePort. The API
/// server never allows it; manifests on disk can. The port of the service that sorts first
/// (namespace, then name) keeps it; the other's port is left out and named here.
public struct PortConflict: Sendable, Hashable, CustomStringConvertible {
    /// The service whose port is left out.
    public var service: ServiceID
    /// Its port's position in `spec.ports`, and the field that collides.
    public var portIndex: Int
    public var field: String
    public var value: String
    /// The service that keeps it.
    public var heldBy: ServiceID

    public var description: String {
        "service \(service): spec.ports[\(portIndex)].\(field) \(value) is already used by service \(heldBy); the port is not programmed"
    }
}

/// What a service port claims: its cluster IP, protocol and port, or (address 0) a NodePort and
/// protocol. No two services may claim the same; hashed without allocating.
struct PortKey: Hashable, Sendable {
    var address: UInt32
    var proto: UInt8
    var port: UInt16

    static func cluster(_ service: ProxiedService, _ port: ProxiedService.Port) -> PortKey {
        PortKey(address: service.clusterIP.value, proto: port.protocol.number, port: port.port)
    }

    static func nodePort(_ nodePort: UInt16, _ proto: TransportProtocol) -> PortKey {
        PortKey(address: 0, proto: proto.number, port: nodePort)
    }

    /// Every claim of `service`'s ports.
    static func keys(of service: ProxiedService) -> [PortKey] {
        service.ports.flatMap { port in
            [cluster(service, port)] + (port.nodePort.map { [nodePort($0, port.protocol)] } ?? [])
        }
    }
}

extension ServiceProxyState {
    /// The ports left out by `withoutConflicts()`; empty for any state the API server accepts.
    public var conflicts: [PortConflict] { resolveConflicts().conflicts }

    /// The state with the ports that collide with another service's taken away (see
    /// `PortConflict`); the same state when nothing collides, which costs one hash lookup per
    /// port.
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
            for (index, port) in service.ports.enumerated() {
                let clusterKey = PortKey.cluster(service, port)
                if let owner = owners[clusterKey], owner != service.id {
                    conflicts.append(
                        PortConflict(
                            service: service.id, portIndex: index, field: "port",
                            value: "\(service.clusterIP):\(port.port)/\(port.protocol.rawValue)", heldBy: owner))
                    continue
                }
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
                owners[clusterKey] = service.id
                kept.ports.append(port)
            }
            return kept
        }
        return (resolved, conflicts)
    }
}
