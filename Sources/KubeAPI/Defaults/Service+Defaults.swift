extension Service {
    /// The service as the API server would store it: type `ClusterIP`, session affinity `None`
    /// (ClientIP affinity times out after 10800 s), port protocol `TCP`, target port equal to the
    /// port, external traffic policy `Cluster` for node ports and load balancers, namespace
    /// `default`.
    public func withDefaults() -> Service {
        var service = self
        if service.metadata.namespace?.isEmpty ?? true {
            service.metadata.namespace = "default"
        }
        if service.spec.type?.isEmpty ?? true { service.spec.type = "ClusterIP" }
        if service.spec.sessionAffinity?.isEmpty ?? true { service.spec.sessionAffinity = "None" }
        if service.spec.sessionAffinity == "ClientIP",
            service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == nil
        {
            service.spec.sessionAffinityConfig = SessionAffinityConfig(
                clientIP: ClientIPConfig(timeoutSeconds: 10800))
        }
        service.spec.ports = service.spec.ports?.map { port in
            var port = port
            if port.protocol?.isEmpty ?? true { port.protocol = "TCP" }
            switch port.targetPort {
            case nil, .int(0), .string(""): port.targetPort = .int(port.port)
            default: break
            }
            return port
        }
        if service.spec.type == "NodePort" || service.spec.type == "LoadBalancer",
            service.spec.externalTrafficPolicy?.isEmpty ?? true
        {
            service.spec.externalTrafficPolicy = "Cluster"
        }
        return service
    }
}

extension Endpoints {
    /// The endpoints with port protocol `TCP` and namespace `default` where unset.
    public func withDefaults() -> Endpoints {
        var endpoints = self
        if endpoints.metadata.namespace?.isEmpty ?? true {
            endpoints.metadata.namespace = "default"
        }
        endpoints.subsets = endpoints.subsets?.map { subset in
            var subset = subset
            subset.ports = subset.ports?.map { port in
                var port = port
                if port.protocol?.isEmpty ?? true { port.protocol = "TCP" }
                return port
            }
            return subset
        }
        return endpoints
    }
}
