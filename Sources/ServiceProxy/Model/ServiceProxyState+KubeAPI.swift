import IPv4
import KubeAPI

extension ServiceProxyState {
    /// The proxy's state where no master writes Endpoints (the manifest directory): each
    /// service's endpoints are computed from this node's pods the way the endpoints controller
    /// would (`EndpointsController.endpoints(for:pods:)`).
    /// - Parameters:
    ///   - services: the Services to serve.
    ///   - localPods: this node's pods with their status (podIP, Ready condition).
    ///   - node: the node's settings.
    public init(services: [Service], localPods: [Pod], node: ProxyNodeSettings) {
        let proxied = services.compactMap { ProxiedService(service: $0, endpoints: EndpointsController.endpoints(for: $0, pods: localPods)) }
        self.init(services: proxied, node: node)
    }

    /// What in `services` the proxy cannot serve, one sentence each naming the service and the
    /// field: a cluster IP that is not IPv4, a protocol other than TCP and UDP, a port out of
    /// range, a NodePort outside `nodePortRange`. Headless services (`clusterIP: None`) and
    /// services without a cluster IP yet are not problems.
    public static func problems(in services: [Service], nodePortRange: ClosedRange<UInt16> = ProxyNodeSettings().nodePortRange) -> [String] {
        var problems: [String] = []
        for service in services {
            let name = "service \(service.metadata.namespace ?? "default")/\(service.metadata.name ?? "")"
            if let clusterIP = service.spec.clusterIP, !clusterIP.isEmpty, clusterIP != "None", IPv4Address(clusterIP) == nil {
                problems.append("\(name): spec.clusterIP \"\(clusterIP)\" is not an IPv4 address; the service is not proxied")
                continue
            }
            for (index, port) in (service.spec.ports ?? []).enumerated() {
                if TransportProtocol(kubernetes: port.protocol) == nil {
                    problems.append(
                        "\(name): spec.ports[\(index)].protocol \"\(port.protocol ?? "")\" is not supported (TCP, UDP); the port is not proxied")
                } else if UInt16(exactly: port.port) == nil || port.port == 0 {
                    problems.append("\(name): spec.ports[\(index)].port \(port.port) is out of range; the port is not proxied")
                } else if let nodePort = port.nodePort, nodePort != 0, ["NodePort", "LoadBalancer"].contains(service.spec.type ?? ""),
                    UInt16(exactly: nodePort).map({ !nodePortRange.contains($0) }) ?? true
                {
                    problems.append(
                        "\(name): spec.ports[\(index)].nodePort \(nodePort) is outside the node port range \(nodePortRange.lowerBound)-\(nodePortRange.upperBound); the NodePort is not programmed")
                }
            }
        }
        return problems
    }
}
