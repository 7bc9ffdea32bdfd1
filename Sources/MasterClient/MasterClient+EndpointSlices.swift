import KubeAPI

extension EndpointSlice: KubeResource {}

/// Where the service proxy reads endpoints from.
public enum EndpointsSource: String, Sendable, Hashable {
    /// `discovery.k8s.io/v1` EndpointSlices (masters since 1.21).
    case endpointSlices = "EndpointSlices (discovery.k8s.io/v1)"
    /// v1 Endpoints, on masters that do not serve discovery.k8s.io/v1.
    case endpoints = "v1 Endpoints"

    /// The collection a reflector lists and watches.
    public var path: String {
        switch self {
        case .endpointSlices: "/apis/discovery.k8s.io/v1/endpointslices"
        case .endpoints: "/api/v1/endpoints"
        }
    }
}

extension MasterClient {
    /// Asks discovery whether the master serves `discovery.k8s.io/v1`, as kube-proxy's choice
    /// between EndpointSlices and Endpoints: 200 means slices, 404 (an older master) Endpoints.
    ///
    /// - Throws: ``MasterError`` for any other answer or no answer, so that the caller asks again
    ///   rather than deciding on a master that is down.
    public func endpointsSource() async throws(MasterError) -> EndpointsSource {
        do {
            try await request("GET", "/apis/discovery.k8s.io/v1")
            return .endpointSlices
        } catch where error.isNotFound {
            return .endpoints
        }
    }
}
