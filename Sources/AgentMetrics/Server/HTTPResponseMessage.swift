/// A complete response, always closing the connection: scrapers open one per scrape anyway, and
/// a server without keep-alive needs no idle-connection handling.
struct HTTPResponseMessage: Sendable, Equatable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// False for `HEAD`: the headers describe the body, which is not sent.
    var sendsBody = true

    init(status: Int, contentType: String = "text/plain; charset=utf-8", headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + headers
        self.body = body
    }

    /// A short plain-text answer, e.g. `404 page not found`.
    static func text(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPResponseMessage {
        HTTPResponseMessage(status: status, headers: headers, body: Array("\(text)\n".utf8))
    }

    func serialized() -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (sendsBody ? body : [])
    }

    static func == (lhs: HTTPResponseMessage, rhs: HTTPResponseMessage) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.sendsBody == rhs.sendsBody
            && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
