/// The endpoints controller of kube-controller-manager, for one service: the one implementation
/// that both the agent (the manifest directory's services, where no master runs a controller) and
/// the tests' master double use.
public enum EndpointsController {
    /// The Endpoints the controller writes for `service` given `pods`.
    ///
    /// Pods of the service's namespace whose labels match its selector, with a pod IP, not being
    /// deleted and not finished for good (`restartPolicy` Never and Failed or Succeeded,
    /// OnFailure and Succeeded: kube's `ShouldPodBeInEndpoints`). A ready pod (condition `Ready`
    /// `True`) is in `addresses`, any other in `notReadyAddresses`. Each service port's
    /// `targetPort` is resolved per pod: a number as is, a name through the pod's container port
    /// of that name and protocol; a pod without any of the service's ports is left out. Pods with
    /// the same ports share a subset; subsets come in the order of their ports, addresses in the
    /// order of their IPs, so the same pods always give the same object.
    ///
    /// - Parameters:
    ///   - service: the Service, defaults applied here; one without a selector gets no subsets
    ///     (such Endpoints are written by hand).
    ///   - pods: candidate pods (any namespace; others are skipped).
    /// - Returns: metadata holds the service's name, namespace and labels, nothing else.
    public static func endpoints(for service: Service, pods: [Pod]) -> Endpoints {
        let service = service.withDefaults()
        let namespace = service.metadata.namespace ?? "default"
        var result = Endpoints(
            apiVersion: "v1", kind: "Endpoints",
            metadata: ObjectMeta(name: service.metadata.name, namespace: namespace, labels: service.metadata.labels))
        guard service.spec.selector?.isEmpty == false else { return result }
        let servicePorts = service.spec.ports ?? []
        var groups: [[EndpointPort]: (ready: [EndpointAddress], notReady: [EndpointAddress])] = [:]
        for pod in pods where selects(service, pod) {
            guard let address = address(of: pod, service: service) else { continue }
            let ports = servicePorts.compactMap { port(for: $0, on: pod) }
            if ports.isEmpty, !servicePorts.isEmpty { continue }
            if isReady(pod) {
                groups[ports, default: ([], [])].ready.append(address)
            } else {
                groups[ports, default: ([], [])].notReady.append(address)
            }
        }
        let subsets = groups.sorted { $0.key.lexicographicallyPrecedes($1.key, by: Self.precedes) }.map { ports, group in
            EndpointSubset(
                addresses: group.ready.isEmpty ? nil : group.ready.sorted { $0.ip < $1.ip },
                notReadyAddresses: group.notReady.isEmpty ? nil : group.notReady.sorted { $0.ip < $1.ip },
                ports: ports.isEmpty ? nil : ports)
        }
        result.subsets = subsets.isEmpty ? nil : subsets
        return result
    }

    /// Whether the service's selector (not empty) matches the pod's labels, in its namespace.
    public static func selects(_ service: Service, _ pod: Pod) -> Bool {
        guard let selector = service.spec.selector, !selector.isEmpty,
            (pod.metadata.namespace ?? "default") == (service.metadata.namespace ?? "default")
        else { return false }
        return selector.allSatisfy { pod.metadata.labels?[$0.key] == $0.value }
    }

    /// Whether the pod's `Ready` condition is `True`.
    public static func isReady(_ pod: Pod) -> Bool {
        pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
    }

    /// kube's `ShouldPodBeInEndpoints`: the pod has an IP (its `podIP`, else the first of
    /// `podIPs`) and has not finished for good; a terminating pod is in only when
    /// `includeTerminating` (EndpointSlices keep it, Endpoints do not).
    public static func shouldBeEndpoint(_ pod: Pod, includeTerminating: Bool) -> Bool {
        guard ip(of: pod) != nil, includeTerminating || pod.metadata.deletionTimestamp == nil else { return false }
        let phase = pod.status?.phase
        switch pod.spec.restartPolicy {
        case .never? where phase == "Failed" || phase == "Succeeded": return false
        case .onFailure? where phase == "Succeeded": return false
        default: return true
        }
    }

    /// The pod's IP: `podIP`, else the first of `podIPs`.
    public static func ip(of pod: Pod) -> String? {
        guard let ip = pod.status?.podIP ?? pod.status?.podIPs?.first?.ip, !ip.isEmpty else { return nil }
        return ip
    }

    /// The pod's `hostname` when its `subdomain` is the service's name (what DNS names it by).
    public static func hostname(of pod: Pod, service: Service) -> String? {
        guard let name = pod.spec.hostname, !name.isEmpty, pod.spec.subdomain == service.metadata.name else { return nil }
        return name
    }

    /// The pod's address for the service, or nil when the pod is no endpoint at all.
    private static func address(of pod: Pod, service: Service) -> EndpointAddress? {
        guard shouldBeEndpoint(pod, includeTerminating: false), let ip = ip(of: pod) else { return nil }
        let reference = ObjectReference(
            kind: "Pod", namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, uid: pod.metadata.uid)
        let nodeName = pod.spec.nodeName.flatMap { $0.isEmpty ? nil : $0 }
        return EndpointAddress(ip: ip, hostname: hostname(of: pod, service: service), nodeName: nodeName, targetRef: reference)
    }

    /// The endpoint port of one service port on one pod; nil when a named target port is not
    /// among the pod's container ports. The protocol is always set (TCP when the service port
    /// has none), the name only when the service port's is not empty.
    public static func port(for servicePort: ServicePort, on pod: Pod) -> EndpointPort? {
        let proto = servicePort.protocol ?? "TCP"
        let number: Int32
        switch servicePort.targetPort {
        case .int(let value)?: number = value
        case nil: number = servicePort.port
        case .string(let name)?:
            let declared = pod.spec.containers.flatMap { $0.ports ?? [] }
            guard let match = declared.first(where: { $0.name == name && ($0.protocol ?? "TCP") == proto }) else { return nil }
            number = match.containerPort
        }
        let name = servicePort.name.flatMap { $0.isEmpty ? nil : $0 }
        return EndpointPort(name: name, port: number, protocol: proto)
    }

    /// Subsets sort by their ports: numbers, then protocols and names.
    private static func precedes(_ lhs: EndpointPort, _ rhs: EndpointPort) -> Bool {
        (lhs.port, lhs.protocol ?? "", lhs.name ?? "") < (rhs.port, rhs.protocol ?? "", rhs.name ?? "")
    }
}
