import NodeServer
import Testing

@Suite("Authorization attributes from method and path, as kubelet maps them")
struct AuthorizationAttributesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var method: String
        var path: String
        var verb: String
        var subresource: String
        var testDescription: String { "\(method) \(path) → \(verb) nodes/\(subresource)" }
    }

    static let cases: [Case] = [
        Case(method: "GET", path: "/stats/summary", verb: "get", subresource: "stats"),
        Case(method: "POST", path: "/stats/summary", verb: "create", subresource: "stats"),
        Case(method: "GET", path: "/stats", verb: "get", subresource: "stats"),
        Case(method: "GET", path: "/statsx", verb: "get", subresource: "proxy"),
        Case(method: "GET", path: "/metrics", verb: "get", subresource: "metrics"),
        Case(method: "GET", path: "/metrics/cadvisor", verb: "get", subresource: "metrics"),
        Case(method: "GET", path: "/metrics/probes", verb: "get", subresource: "metrics"),
        Case(method: "GET", path: "/logs/", verb: "get", subresource: "log"),
        Case(method: "GET", path: "/checkpoint/ns/pod/c", verb: "get", subresource: "checkpoint"),
        Case(method: "GET", path: "/containerLogs/default/web/nginx", verb: "get", subresource: "proxy"),
        Case(method: "POST", path: "/exec/default/web/nginx", verb: "create", subresource: "proxy"),
        Case(method: "GET", path: "/portForward/default/web", verb: "get", subresource: "proxy"),
        Case(method: "GET", path: "/pods", verb: "get", subresource: "proxy"),
        Case(method: "GET", path: "/healthz", verb: "get", subresource: "proxy"),
        Case(method: "HEAD", path: "/pods", verb: "get", subresource: "proxy"),
        Case(method: "PUT", path: "/pods", verb: "update", subresource: "proxy"),
        Case(method: "PATCH", path: "/pods", verb: "patch", subresource: "proxy"),
        Case(method: "DELETE", path: "/pods", verb: "delete", subresource: "proxy"),
    ]

    @Test("verb from the method, subresource from the path, resource nodes named after the node", arguments: cases)
    func maps(_ example: Case) {
        let attributes = AuthorizationAttributes.forRequest(method: example.method, path: example.path, nodeName: "node-1")

        #expect(attributes.verb == example.verb)
        #expect(attributes.subresource == example.subresource)
        #expect(attributes.resource == "nodes")
        #expect(attributes.name == "node-1")
        #expect(attributes.apiGroup == "")
        #expect(attributes.apiVersion == "v1")
    }
}
