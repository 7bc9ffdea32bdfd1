/// What a list or watch selects: namespace, labels and fields.
struct Selection: Sendable, Hashable {
    var resource: Resource
    /// nil for all namespaces (and for cluster-scoped resources).
    var namespace: String?
    /// A single object (`/pods/{name}?watch=true`, `/watch/.../pods/{name}`).
    var name: String?
    var labels: LabelSelector = .everything
    var fields: FieldSelector = .everything

    func matches(_ object: JSONValue) -> Bool {
        if let namespace, object.namespace != namespace { return false }
        if let name, object.name != name { return false }
        return labels.matches(object.labels) && fields.matches(object)
    }
}
