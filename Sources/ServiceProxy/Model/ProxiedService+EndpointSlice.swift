import IPv4
import KubeAPI

extension ProxiedService {
    /// The proxy's view of a v1 Service and its EndpointSlices, as kube-proxy builds it
    /// (pkg/proxy/endpointslicecache.go, pkg/proxy/topology.go):
    ///
    /// - only `IPv4` slices count (the proxy programs the `ip` family);
    /// - a slice port belongs to the service port with the same name and protocol, and its
    ///   `port` is the endpoint's (target) port;
    /// - absent conditions mean ready and serving, not terminating;
    /// - per service port: the ready endpoints; when none is ready, the endpoints that are
    ///   serving and terminating (kube-proxy's fallback, so that connections keep working while a
    ///   rolling update replaces every pod); otherwise none;
    /// - an address listed by several slices counts once, ready copies winning.
    ///
    /// Where it differs from kube-proxy: topology hints and the `Local` traffic policies are not
    /// applied (the proxy has no zone and serves `Cluster` policy only), so every ready endpoint
    /// of the cluster receives traffic.
    ///
    /// - Parameters:
    ///   - service: the Service; headless ones and those without an IPv4 cluster IP give nil.
    ///   - slices: the slices whose `kubernetes.io/service-name` label names this service in its
    ///     namespace (others are the caller's mistake and are not filtered here).
    public init?(service: Service, slices: [EndpointSlice]) {
        guard let proxied = ProxiedService(service: service, endpoints: nil) else { return nil }
        self = proxied
        endpoints = Self.endpoints(from: slices, for: proxied.ports)
    }

    /// Endpoints per service port name from a service's slices (see the initialiser).
    static func endpoints(from slices: [EndpointSlice], for ports: [Port]) -> [String: [Endpoint]] {
        struct Candidate: Hashable {
            var endpoint: Endpoint
            var ready: Bool
            var servingTerminating: Bool
        }
        var candidates: [String: [Endpoint: Candidate]] = [:]
        for slice in slices where slice.addressType == "IPv4" {
            for slicePort in slice.ports ?? [] {
                let name = slicePort.name ?? ""
                guard let proto = TransportProtocol(kubernetes: slicePort.protocol),
                    ports.contains(where: { $0.name == name && $0.protocol == proto }),
                    let number = slicePort.port.flatMap({ UInt16(exactly: $0) }), number != 0
                else { continue }
                for endpoint in slice.endpoints {
                    guard let address = endpoint.addresses.first, let ip = IPv4Address(address) else { continue }
                    let pod = endpoint.targetRef?.kind == "Pod" ? endpoint.targetRef?.name : nil
                    let candidate = Candidate(
                        endpoint: Endpoint(ip: ip, port: number, podName: pod), ready: endpoint.isReady,
                        servingTerminating: endpoint.isServing && endpoint.isTerminating)
                    let key = Endpoint(ip: ip, port: number)
                    if let existing = candidates[name]?[key], existing.ready || !candidate.ready { continue }
                    candidates[name, default: [:]][key] = candidate
                }
            }
        }
        var result: [String: [Endpoint]] = [:]
        for (name, byAddress) in candidates {
            let all = Array(byAddress.values)
            let ready = all.filter(\.ready)
            let chosen = ready.isEmpty ? all.filter(\.servingTerminating) : ready
            if !chosen.isEmpty { result[name] = chosen.map(\.endpoint).sorted() }
        }
        return result
    }
}

extension ServiceProxyState {
    /// The state for a set of v1 Services and the EndpointSlices of the cluster, joined by each
    /// slice's `kubernetes.io/service-name` label within its namespace. Slices without that
    /// label (not managed for a service) are ignored, as kube-proxy ignores them.
    ///
    /// - Parameters:
    ///   - services: every service of the cluster; those without an IPv4 cluster IP are skipped.
    ///   - endpointSlices: the slices; one whose service does not exist is ignored.
    ///   - node: the node's settings.
    public init(services: [Service], endpointSlices: [EndpointSlice], node: ProxyNodeSettings) {
        var byService: [String: [EndpointSlice]] = [:]
        for slice in endpointSlices {
            guard let service = slice.serviceName, !service.isEmpty else { continue }
            byService["\(slice.metadata.namespace ?? "default")/\(service)", default: []].append(slice)
        }
        let proxied = services.compactMap { service in
            ProxiedService(
                service: service,
                slices: byService["\(service.metadata.namespace ?? "default")/\(service.metadata.name ?? "")"] ?? [])
        }
        self.init(services: proxied, node: node)
    }
}
