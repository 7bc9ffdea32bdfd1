import KubeAPI

extension Endpoints {
    /// The Endpoints the endpoints controller would write for `service` given `pods`: pods of
    /// the service's namespace whose labels match its selector, ready (condition `Ready` is
    /// `True`), with an IPv4 pod IP and not being deleted. Each service port's `targetPort` is
    /// resolved per pod: a number as is, a name through the pod's container ports of that name
    /// and protocol (a pod without such a port is no endpoint of that port).
    ///
    /// For the manifest directory, where no controller runs. One subset per pod keeps the
    /// resolution per pod visible; the proxy does not care how addresses are grouped.
    ///
    /// - Parameters:
    ///   - service: the Service; one without a selector gets no endpoints (they are written by
    ///     hand for such services).
    ///   - pods: candidate pods, typically every pod on this node.
    public static func ready(for service: Service, pods: [Pod]) -> Endpoints {
        let service = service.withDefaults()
        let namespace = service.metadata.namespace ?? "default"
        var result = Endpoints(
            apiVersion: "v1", kind: "Endpoints",
            metadata: ObjectMeta(name: service.metadata.name, namespace: namespace))
        guard let selector = service.spec.selector, !selector.isEmpty else { return result }
        var subsets: [EndpointSubset] = []
        let candidates = pods.filter { pod in
            (pod.metadata.namespace ?? "default") == namespace && pod.metadata.deletionTimestamp == nil
                && selector.allSatisfy { pod.metadata.labels?[$0.key] == $0.value }
                && pod.status?.conditions?.contains(where: { $0.type == "Ready" && $0.status == "True" }) == true
                && pod.status?.podIP.flatMap { IPv4Address($0) } != nil
        }
        for pod in candidates.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            var ports: [EndpointPort] = []
            for port in service.spec.ports ?? [] {
                guard let number = resolve(port, in: pod) else { continue }
                ports.append(EndpointPort(name: port.name, port: number, protocol: port.protocol))
            }
            guard !ports.isEmpty, let ip = pod.status?.podIP else { continue }
            let reference = ObjectReference(kind: "Pod", namespace: namespace, name: pod.metadata.name, uid: pod.metadata.uid)
            subsets.append(EndpointSubset(addresses: [EndpointAddress(ip: ip, targetRef: reference)], ports: ports))
        }
        result.subsets = subsets.isEmpty ? nil : subsets
        return result
    }

    private static func resolve(_ port: ServicePort, in pod: Pod) -> Int32? {
        switch port.targetPort {
        case .int(let number)?: return number
        case nil: return port.port
        case .string(let name)?:
            let proto = port.protocol ?? "TCP"
            for container in pod.spec.containers {
                if let match = container.ports?.first(where: { $0.name == name && ($0.protocol ?? "TCP") == proto }) {
                    return match.containerPort
                }
            }
            return nil
        }
    }
}
