/// What the metrics server answers to a request: a pure function of the request line and the
/// registry's text, tested without sockets.
struct MetricsRoutes: Sendable {
    /// The current exposition, rendered per request.
    var exposition: @Sendable () -> [UInt8]

    func response(to request: HTTPRequestHead) -> HTTPResponseMessage {
        let resource: () -> HTTPResponseMessage
        switch request.path {
        case "/metrics":
            resource = { HTTPResponseMessage(status: 200, contentType: MetricsRegistry.contentType, body: exposition()) }
        case "/healthz":
            resource = { HTTPResponseMessage(status: 200, body: Array("ok".utf8)) }
        default:
            return .text(404, "404 page not found")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .text(405, "405 method not allowed", headers: [("Allow", "GET, HEAD")])
        }
        var response = resource()
        response.sendsBody = request.method == "GET"
        return response
    }

    /// The answer to a request the server could not parse.
    static func malformed(status: Int, reason: String) -> HTTPResponseMessage {
        .text(status, "\(status) \(HTTPResponseMessage.reason(status)): \(reason)")
    }
}
