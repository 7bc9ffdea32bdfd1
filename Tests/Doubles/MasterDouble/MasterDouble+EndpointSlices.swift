import KubeAPI

extension MasterDouble {
    /// Whether the double serves `discovery.k8s.io/v1` (on by default, as every master since
    /// 1.21). Off, it is a master of the seed's era: the group's paths answer Go's plain 404,
    /// `/apis` does not list it, and only the endpoints controller runs (Endpoints, no slices).
    /// A change applies to the next request and the next controller pass.
    public var servesEndpointSlices: Bool {
        get { settings.withLock { $0.servesEndpointSlices } }
        set { settings.withLock { $0.servesEndpointSlices = newValue } }
    }

    /// The EndpointSlices of a service (by its `kubernetes.io/service-name` label), decoded,
    /// ordered by name.
    public func endpointSlices(namespace: String = "default", service: String) -> [EndpointSlice] {
        objects(kind: "endpointslices", namespace: namespace)
            .compactMap { try? $0.decode(EndpointSlice.self) }
            .filter { $0.serviceName == service }
    }
}
