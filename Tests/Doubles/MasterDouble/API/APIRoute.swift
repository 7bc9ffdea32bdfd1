/// A resource path: `[watch/][namespaces/{ns}/]{resource}[/{name}[/{subresource}]]`.
struct APIRoute: Sendable, Equatable {
    var resource: Resource
    /// nil for cluster-scoped resources and for lists across all namespaces.
    var namespace: String?
    var name: String?
    var subresource: String?
    /// The legacy `/api/v1/watch/...` form.
    var watchPath = false

    static func parse(_ parts: ArraySlice<String>, allowed: [Resource]) -> APITarget {
        var rest = parts
        var watchPath = false
        if rest.first == "watch" {
            watchPath = true
            rest = rest.dropFirst()
        }
        var namespace: String?
        if rest.first == "namespaces" {
            guard rest.count >= 3 else { return .notFound }
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        guard let first = rest.first, let resource = Resource(rawValue: first), allowed.contains(resource) else {
            return .notFound
        }
        if !resource.namespaced, namespace != nil { return .notFound }
        let name = rest.count > 1 ? rest[rest.startIndex + 1] : nil
        let subresource = rest.count > 2 ? rest[rest.startIndex + 2] : nil
        if rest.count > 3 { return .notFound }
        if resource.namespaced, namespace == nil, name != nil { return .notFound }
        if let subresource, !(subresource == "status" && resource.hasStatus),
            !(subresource == "token" && resource == .serviceaccounts)
        {
            return .notFound
        }
        return .resource(APIRoute(
            resource: resource, namespace: namespace, name: name, subresource: subresource, watchPath: watchPath))
    }

    /// `pods`, `pods/status`, ... for the request log.
    var resourceLabel: String { resource.rawValue + (subresource.map { "/\($0)" } ?? "") }
}
