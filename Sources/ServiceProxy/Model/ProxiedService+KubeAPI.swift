import IPv4
import KubeAPI

extension ProxiedService {
    /// The proxy's view of a v1 Service and its Endpoints, as kube-proxy builds its ServicePorts:
    /// defaults applied, ports of protocols other than TCP and UDP dropped, NodePorts kept only
    /// for `type: NodePort` and `LoadBalancer`, endpoints matched to ports by name and protocol.
    ///
    /// - Parameters:
    ///   - service: the Service; headless services (`clusterIP: None`) and services without an
    ///     IPv4 cluster IP give nil, as there is nothing to program for them.
    ///   - endpoints: the Endpoints object of the same name, if any; only `addresses` (ready)
    ///     count, `notReadyAddresses` never receive traffic.
    public init?(service: Service, endpoints: Endpoints?) {
        let service = service.withDefaults()
        guard let clusterIPText = service.spec.clusterIP, let clusterIP = IPv4Address(clusterIPText) else { return nil }
        let exposesNodePorts = service.spec.type == "NodePort" || service.spec.type == "LoadBalancer"
        let ports: [Port] = (service.spec.ports ?? []).compactMap { port in
            guard let proto = TransportProtocol(kubernetes: port.protocol), let number = UInt16(exactly: port.port) else {
                return nil
            }
            let nodePort = exposesNodePorts ? port.nodePort.flatMap { UInt16(exactly: $0) }.flatMap { $0 == 0 ? nil : $0 } : nil
            let target: TargetPort
            switch port.targetPort {
            case .int(let value)?: target = .number(UInt16(exactly: value) ?? number)
            case .string(let name)?: target = .name(name)
            case nil: target = .number(number)
            }
            return Port(name: port.name ?? "", protocol: proto, port: number, nodePort: nodePort, targetPort: target)
        }
        var affinity = SessionAffinity.none
        if service.spec.sessionAffinity == "ClientIP" {
            let timeout = service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800
            affinity = .clientIP(timeoutSeconds: UInt32(clamping: timeout))
        }
        self.init(
            namespace: service.metadata.namespace ?? "default", name: service.metadata.name ?? "",
            clusterIP: clusterIP, ports: ports, sessionAffinity: affinity,
            endpoints: Self.readyEndpoints(endpoints?.withDefaults(), for: ports))
    }

    /// Endpoints per service port name: an Endpoints port belongs to the service port with the
    /// same name and protocol (the endpoints controller names them so).
    static func readyEndpoints(_ endpoints: Endpoints?, for ports: [Port]) -> [String: [Endpoint]] {
        var result: [String: [Endpoint]] = [:]
        for subset in endpoints?.subsets ?? [] {
            for endpointPort in subset.ports ?? [] {
                let name = endpointPort.name ?? ""
                guard let proto = TransportProtocol(kubernetes: endpointPort.protocol),
                    ports.contains(where: { $0.name == name && $0.protocol == proto }),
                    let number = UInt16(exactly: endpointPort.port)
                else { continue }
                for address in subset.addresses ?? [] {
                    guard let ip = IPv4Address(address.ip) else { continue }
                    let pod = address.targetRef?.kind == "Pod" ? address.targetRef?.name : nil
                    result[name, default: []].append(Endpoint(ip: ip, port: number, podName: pod))
                }
            }
        }
        return result
    }
}

extension ServiceProxyState {
    /// The state for a set of v1 Services and their Endpoints (matched by namespace and name).
    ///
    /// - Parameters:
    ///   - services: every service of the cluster; those without an IPv4 cluster IP are skipped.
    ///   - endpoints: the Endpoints objects; one without a service is ignored.
    ///   - node: the node's settings.
    public init(services: [Service], endpoints: [Endpoints], node: ProxyNodeSettings) {
        var byName: [String: Endpoints] = [:]
        for object in endpoints {
            byName["\(object.metadata.namespace ?? "default")/\(object.metadata.name ?? "")"] = object
        }
        let proxied = services.compactMap { service in
            ProxiedService(
                service: service,
                endpoints: byName["\(service.metadata.namespace ?? "default")/\(service.metadata.name ?? "")"])
        }
        self.init(services: proxied, node: node)
    }
}
