/// What a request asks to do, in the terms of a SubjectAccessReview's `resourceAttributes`, as
/// kubelet maps its paths (pkg/kubelet/server/auth.go): resource `nodes`, the node's name, a verb
/// from the method and a subresource from the path.
public struct AuthorizationAttributes: Sendable, Hashable {
    public var verb: String
    public var resource: String
    public var subresource: String
    public var name: String
    public var apiGroup: String
    public var apiVersion: String

    public init(
        verb: String, resource: String = "nodes", subresource: String, name: String, apiGroup: String = "", apiVersion: String = "v1"
    ) {
        self.verb = verb
        self.resource = resource
        self.subresource = subresource
        self.name = name
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
    }

    /// The attributes of a request on the node API.
    /// - Parameters:
    ///   - method: the HTTP method; POST create, GET (and HEAD) get, PUT update, PATCH patch,
    ///     DELETE delete, anything else its lowercase name.
    ///   - path: the request path without query.
    ///   - nodeName: this node, the object's name.
    public static func forRequest(method: String, path: String, nodeName: String) -> AuthorizationAttributes {
        let verb: String =
            switch method.uppercased() {
            case "POST": "create"
            case "GET", "HEAD": "get"
            case "PUT": "update"
            case "PATCH": "patch"
            case "DELETE": "delete"
            default: method.lowercased()
            }
        let subresource: String
        if Self.isUnder(path, "/stats") {
            subresource = "stats"
        } else if Self.isUnder(path, "/metrics") {
            subresource = "metrics"
        } else if Self.isUnder(path, "/logs") {
            subresource = "log"
        } else if Self.isUnder(path, "/checkpoint") {
            subresource = "checkpoint"
        } else {
            subresource = "proxy"
        }
        return AuthorizationAttributes(verb: verb, subresource: subresource, name: nodeName)
    }

    /// Go's `isSubpath`: the path is the prefix itself or continues with a slash.
    private static func isUnder(_ path: String, _ prefix: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }
}
