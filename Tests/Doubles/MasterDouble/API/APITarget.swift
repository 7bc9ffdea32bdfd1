/// What a request path names.
enum APITarget: Sendable, Equatable {
    case resource(APIRoute)
    case health
    case version
    /// `/api`
    case coreVersions
    /// `/api/v1`
    case coreResources
    /// `/apis`
    case groups
    /// `/apis/coordination.k8s.io`
    case coordinationGroup
    /// `/apis/coordination.k8s.io/v1`
    case coordinationResources
    /// `/apis/discovery.k8s.io`
    case discoveryGroup
    /// `/apis/discovery.k8s.io/v1`
    case discoveryResources
    /// `POST /apis/authentication.k8s.io/v1/tokenreviews`
    case tokenReview
    /// `POST /apis/authorization.k8s.io/v1/subjectaccessreviews`
    case subjectAccessReview
    /// A path inside the API that names nothing: a `Status` 404.
    case notFound
    /// A path no handler owns, such as an API group this master does not serve: Go's plain
    /// `404 page not found`.
    case notServed

    /// Parses a request path.
    ///
    /// - Parameters:
    ///   - servesLeases: Whether `coordination.k8s.io/v1` exists on this master.
    ///   - servesEndpointSlices: Whether `discovery.k8s.io/v1` exists on this master.
    static func parse(_ path: String, servesLeases: Bool, servesEndpointSlices: Bool = false) -> APITarget {
        let parts = path.split(separator: "/").map(String.init)
        switch parts.first {
        case "healthz", "livez", "readyz": return .health
        case "version" where parts.count == 1: return .version
        case "api":
            if parts.count == 1 { return .coreVersions }
            guard parts[1] == "v1" else { return .notFound }
            if parts.count == 2 { return .coreResources }
            return APIRoute.parse(parts.dropFirst(2), allowed: Resource.allCases.filter { $0.group.isEmpty })
        case "apis":
            if parts.count == 1 { return .groups }
            if parts == ["apis", "authentication.k8s.io", "v1", "tokenreviews"] { return .tokenReview }
            if parts == ["apis", "authorization.k8s.io", "v1", "subjectaccessreviews"] { return .subjectAccessReview }
            if parts[1] == "discovery.k8s.io" { return parseDiscoveryGroup(parts, served: servesEndpointSlices) }
            guard parts[1] == "coordination.k8s.io", servesLeases else { return .notServed }
            if parts.count == 2 { return .coordinationGroup }
            guard parts[2] == "v1" else { return .notServed }
            if parts.count == 3 { return .coordinationResources }
            return APIRoute.parse(parts.dropFirst(3), allowed: [.leases])
        default:
            return .notServed
        }
    }
}

extension APITarget {
    /// `/apis/discovery.k8s.io[/v1[/...]]`: EndpointSlices, or Go's plain 404 where the group is
    /// not served (masters before 1.21).
    static func parseDiscoveryGroup(_ parts: [String], served: Bool) -> APITarget {
        guard served else { return .notServed }
        if parts.count == 2 { return .discoveryGroup }
        guard parts[2] == "v1" else { return .notServed }
        if parts.count == 3 { return .discoveryResources }
        return APIRoute.parse(parts.dropFirst(3), allowed: [.endpointslices])
    }
}
