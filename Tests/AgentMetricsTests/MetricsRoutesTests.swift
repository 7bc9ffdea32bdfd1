import Testing

@testable import AgentMetrics

@Suite("What the metrics server answers")
struct MetricsRoutesTests {
    static let routes = MetricsRoutes { Array("kubeproxy_x 1\n".utf8) }

    struct Case: Sendable, CustomTestStringConvertible {
        var method: String
        var path: String
        var status: Int
        var contentType: String
        var body: String
        var sendsBody = true
        var allow: String?
        var testDescription: String { "\(method) \(path) → \(status)" }
    }

    static let requests: [Case] = [
        Case(method: "GET", path: "/metrics", status: 200, contentType: MetricsRegistry.contentType, body: "kubeproxy_x 1\n"),
        Case(
            method: "HEAD", path: "/metrics", status: 200, contentType: MetricsRegistry.contentType, body: "kubeproxy_x 1\n",
            sendsBody: false),
        Case(method: "GET", path: "/healthz", status: 200, contentType: "text/plain; charset=utf-8", body: "ok"),
        Case(method: "GET", path: "/nope", status: 404, contentType: "text/plain; charset=utf-8", body: "404 page not found\n"),
        Case(method: "GET", path: "/", status: 404, contentType: "text/plain; charset=utf-8", body: "404 page not found\n"),
        Case(
            method: "POST", path: "/metrics", status: 405, contentType: "text/plain; charset=utf-8",
            body: "405 method not allowed\n", allow: "GET, HEAD"),
        Case(
            method: "PUT", path: "/healthz", status: 405, contentType: "text/plain; charset=utf-8",
            body: "405 method not allowed\n", allow: "GET, HEAD"),
    ]

    @Test("GET and HEAD of /metrics and /healthz; 404 elsewhere; 405 for other methods", arguments: requests)
    func answers(_ example: Case) {
        let response = Self.routes.response(method: example.method, path: example.path)

        #expect(response.status == example.status)
        #expect(response.contentType == example.contentType)
        #expect(response.headers.first { $0.name == "Allow" }?.value == example.allow)
        #expect(String(decoding: response.body, as: UTF8.self) == example.body)
        #expect(response.sendsBody == example.sendsBody)
    }
}
