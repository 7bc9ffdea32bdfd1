import Testing

@testable import AgentMetrics

@Suite("Reading a request head")
struct HTTPRequestHeadTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var bytes: [UInt8]
        var expected: HTTPRequestHead.Parsed
        var testDescription: String { label }

        init(_ label: String, _ text: String, _ expected: HTTPRequestHead.Parsed) {
            self.label = label
            self.bytes = Array(text.utf8)
            self.expected = expected
        }

        init(_ label: String, bytes: [UInt8], _ expected: HTTPRequestHead.Parsed) {
            self.label = label
            self.bytes = bytes
            self.expected = expected
        }
    }

    static let metrics = HTTPRequestHead(method: "GET", path: "/metrics", version: "HTTP/1.1")

    static let requestLines: [Case] = [
        Case("a complete GET", "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n", .complete(metrics)),
        Case("a GET without headers", "GET /metrics HTTP/1.1\r\n\r\n", .complete(metrics)),
        Case("headers still arriving", "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n", .incomplete),
        Case("half a request line", "GET /met", .incomplete),
        Case("nothing yet", "", .incomplete),
        Case(
            "bare line feeds and a query", "GET /metrics?name=x HTTP/1.0\n\n",
            .complete(HTTPRequestHead(method: "GET", path: "/metrics", version: "HTTP/1.0"))),
        Case("the absolute form", "GET http://127.0.0.1:10249/metrics HTTP/1.1\r\n\r\n", .complete(metrics)),
        Case(
            "another method", "DELETE /metrics HTTP/1.1\r\n\r\n",
            .complete(HTTPRequestHead(method: "DELETE", path: "/metrics", version: "HTTP/1.1"))),
        Case("a line of garbage, at once", "hello there\r\n", .malformed(status: 400, reason: "malformed request line")),
        Case("two spaces", "GET  /metrics HTTP/1.1\r\n\r\n", .malformed(status: 400, reason: "malformed request line")),
        Case("a relative path", "GET metrics HTTP/1.1\r\n\r\n", .malformed(status: 400, reason: "malformed request target")),
        Case("HTTP/2", "GET /metrics HTTP/2.0\r\n\r\n", .malformed(status: 505, reason: "HTTP/2.0 is not supported")),
        Case("no version", "GET /metrics FTP\r\n\r\n", .malformed(status: 400, reason: "malformed HTTP version")),
        Case(
            "binary bytes", bytes: [0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10],
            .malformed(status: 400, reason: "malformed request line")),
        Case(
            "control bytes in the method", bytes: Array("G\u{1}T /metrics HTTP/1.1\r\n\r\n".utf8),
            .malformed(status: 400, reason: "malformed method")),
        Case(
            "an endless request line", String(repeating: "A", count: 9000),
            .malformed(status: 431, reason: "request line too long")),
        Case(
            "endless headers", "GET /metrics HTTP/1.1\r\nX: \(String(repeating: "a", count: 9000))",
            .malformed(status: 431, reason: "request header fields too large")),
    ]

    @Test("request lines route on method and path; what is not HTTP/1.x is refused", arguments: requestLines)
    func parse(_ example: Case) {
        #expect(HTTPRequestHead.parse(example.bytes, limit: 8192) == example.expected)
    }
}
