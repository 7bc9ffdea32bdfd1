import Testing

@testable import Probes

/// Feeds a response to a fresh reader in the given pieces; then the close, when `closes`.
private func read(_ pieces: [String], closes: Bool = false, maxBody: Int = 10 * 1024) -> ProbeResponse.Progress {
    var response = ProbeResponse(maxBodyBytes: maxBody)
    var progress = ProbeResponse.Progress.needMore
    for piece in pieces {
        progress = Array(piece.utf8).withUnsafeBytes { response.feed($0) }
        if progress != .needMore { return progress }
    }
    return closes ? response.end() : progress
}

@Suite("Reading a probe's HTTP response")
struct ProbeResponseTests {
    @Test("the status is known once the body ends at its Content-Length, without waiting for the close")
    func contentLength() {
        #expect(read(["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"]) == .needMore)
        #expect(read(["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", "lo"]) == .complete(status: 200))
        #expect(read(["HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"]) == .complete(status: 404))
    }

    @Test(
        "a head split anywhere, even inside its closing empty line, reads the same",
        arguments: ["\r\n", "\n"])
    func splitHead(_ lineEnd: String) {
        let whole = "HTTP/1.1 503 Service Unavailable\(lineEnd)Content-Length: 2\(lineEnd)\(lineEnd)no"
        for cut in 1..<whole.utf8.count {
            let bytes = Array(whole.utf8)
            let pieces = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            #expect(read(pieces) == .complete(status: 503), "cut at \(cut)")
        }
    }

    @Test("lines may end in a bare LF, as Go's reader takes them (a shell's `echo` behind nc)")
    func bareLineFeeds() {
        #expect(read(["HTTP/1.1 200 OK\n\n"], closes: true) == .complete(status: 200))
        #expect(read(["HTTP/1.1 404 Not Found\nContent-Length: 2\n\nno"]) == .complete(status: 404))
        #expect(read(["HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n"]) == .complete(status: 200))
        #expect(read(["HTTP/1.1 503 Busy\n", "Content-Length: 1\n", "\n", "x"]) == .complete(status: 503))
    }

    @Test("a later Transfer-Encoding that is not chunked undoes an earlier chunked one")
    func transferEncodingReplaced() {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n"
        #expect(read([head + "abc"]) == .complete(status: 200))
    }

    @Test("a body without length or chunks ends at the close")
    func untilClose() {
        #expect(read(["HTTP/1.0 200 OK\r\n\r\nsome body"]) == .needMore)
        #expect(read(["HTTP/1.0 200 OK\r\n\r\nsome body"], closes: true) == .complete(status: 200))
    }

    @Test("a chunked body ends at its last chunk and trailers, across pieces")
    func chunked() {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(read([head + "5\r\nhello\r\n"]) == .needMore)
        #expect(read([head + "5\r\nhel", "lo\r\n0\r\n", "\r\n"]) == .complete(status: 200))
        #expect(read([head + "a;name=x\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n"]) == .complete(status: 200))
        #expect(read([head + "zz\r\n"]) == .failed("malformed chunk size"))
    }

    @Test("interim 100 Continue heads are skipped for the final status")
    func interim() {
        #expect(read(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"]) == .complete(status: 302))
    }

    @Test("204 and 304 have no body")
    func noBody() {
        #expect(read(["HTTP/1.1 204 No Content\r\n\r\n"]) == .complete(status: 204))
        #expect(read(["HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"]) == .complete(status: 304))
    }

    @Test("at most the body limit is read: a longer body completes the response at the limit")
    func bodyLimit() {
        let body = String(repeating: "x", count: 100)
        #expect(read(["HTTP/1.1 200 OK\r\n\r\n" + body], maxBody: 64) == .complete(status: 200))
        #expect(read(["HTTP/1.1 500 Oops\r\nContent-Length: 1000\r\n\r\n" + body], maxBody: 64) == .complete(status: 500))
    }

    @Test("a close before any response, or before the body's length, fails the probe")
    func earlyClose() {
        #expect(read([], closes: true) == .closedEarly)
        #expect(read(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], closes: true) == .failed("unexpected EOF"))
        #expect(read(["HTTP/1.1 200 OK\r\nContent"], closes: true) == .failed("unexpected EOF"))
    }

    @Test(
        "a response that is not HTTP/1.x, or has a bad status or length, fails with what was wrong",
        arguments: [
            ("SSH-2.0-OpenSSH_9.2\r\n\r\n", "malformed HTTP response \"SSH-2.0-OpenSSH_9.2\""),
            ("HTTP/1.1 20 OK\r\n\r\n", "malformed HTTP response \"HTTP/1.1 20 OK\""),
            ("HTTP/1.1 2x0 OK\r\n\r\n", "malformed HTTP response \"HTTP/1.1 2x0 OK\""),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length \"-1\""),
        ])
    func malformed(_ response: String, _ reason: String) {
        #expect(read([response]) == .failed(reason))
    }

    @Test("a head that never ends fails past 64 KiB")
    func endlessHead() {
        let header = "X-Filler: " + String(repeating: "y", count: 1000) + "\r\n"
        let pieces = ["HTTP/1.1 200 OK\r\n"] + Array(repeating: header, count: 70)
        #expect(read(pieces) == .failed("the response head exceeds 64 KiB"))
    }
}
