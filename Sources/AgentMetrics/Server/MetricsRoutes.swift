/// What the metrics server answers to a request: a pure function of the method, the path and
/// the registry's text, tested without sockets.
struct MetricsRoutes: Sendable {
    /// One answer.
    struct Response: Sendable, Equatable {
        var status: Int
        var contentType: String
        var body: [UInt8]
        /// Extra headers, e.g. `Allow` on 405.
        var headers: [(name: String, value: String)] = []
        /// False for HEAD: the length is sent, the body is not.
        var sendsBody = true

        static func == (lhs: Response, rhs: Response) -> Bool {
            lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body && lhs.sendsBody == rhs.sendsBody
                && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
        }

        static func text(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8), headers: headers)
        }
    }

    /// The current exposition, rendered per request.
    var exposition: @Sendable () -> [UInt8]

    func response(method: String, path: String) -> Response {
        let resource: () -> Response
        switch path {
        case "/metrics":
            resource = { Response(status: 200, contentType: MetricsRegistry.contentType, body: exposition()) }
        case "/healthz":
            resource = { Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok".utf8)) }
        default:
            return .text(404, "404 page not found")
        }
        guard method == "GET" || method == "HEAD" else {
            return .text(405, "405 method not allowed", headers: [("Allow", "GET, HEAD")])
        }
        var response = resource()
        response.sendsBody = method == "GET"
        return response
    }
}
