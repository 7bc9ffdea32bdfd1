import KubeAPI

extension ServiceProxyState {
    /// The proxy's state from v1 objects, as kube-proxy builds it: every service with an IPv4
    /// cluster IP, each with its ready endpoints.
    ///
    /// - Parameters:
    ///   - services: the Services to serve.
    ///   - endpoints: the master's Endpoints objects; nil where no master writes them (the
    ///     manifest directory), in which case they are computed from `localPods` the way the
    ///     endpoints controller would (`Endpoints.ready(for:pods:)`).
    ///   - localPods: this node's pods with their status (podIP, Ready condition).
    ///   - node: the node's settings.
    public init(services: [Service], endpoints: [Endpoints]?, localPods: [Pod], node: ProxyNodeSettings) {
        let byName: [ServiceID: Endpoints]? = endpoints.map { list in
            Dictionary(
                list.map { (ServiceID(namespace: $0.metadata.namespace ?? "default", name: $0.metadata.name ?? ""), $0) },
                uniquingKeysWith: { _, last in last })
        }
        let proxied = services.compactMap { service -> ProxiedService? in
            let id = ServiceID(namespace: service.metadata.namespace ?? "default", name: service.metadata.name ?? "")
            let serviceEndpoints = byName.map { $0[id] } ?? Endpoints.ready(for: service, pods: localPods)
            return ProxiedService(service: service, endpoints: serviceEndpoints)
        }
        self.init(services: proxied, node: node)
    }
}
