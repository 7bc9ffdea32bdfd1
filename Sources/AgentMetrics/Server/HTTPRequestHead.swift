/// The request line of an HTTP/1.x request, which is all the metrics server routes on. Header
/// fields are read past (up to a size limit) but not interpreted.
struct HTTPRequestHead: Sendable, Equatable {
    enum Parsed: Equatable {
        /// More bytes are needed before the head is complete.
        case incomplete
        case complete(HTTPRequestHead)
        /// Not an HTTP/1.x request; answer with `status` and close.
        case malformed(status: Int, reason: String)
    }

    var method: String
    /// The path without query or fragment, e.g. `/metrics`.
    var path: String
    var version: String

    /// Parses what a connection delivered so far. A bad request line is reported as soon as the
    /// line is complete, without waiting for the rest of the head.
    /// - Parameters:
    ///   - bytes: everything received on the connection.
    ///   - limit: the largest head accepted; a longer incomplete one is `431`.
    static func parse(_ bytes: [UInt8], limit: Int) -> Parsed {
        guard let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            return bytes.count > limit ? .malformed(status: 431, reason: "request line too long") : .incomplete
        }
        var line = bytes[..<lineEnd]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let head: HTTPRequestHead
        switch requestLine(line) {
        case .success(let parsed): head = parsed
        case .failure(let failure): return .malformed(status: failure.status, reason: failure.reason)
        }
        guard endOfHead(in: bytes, from: lineEnd) else {
            return bytes.count > limit ? .malformed(status: 431, reason: "request header fields too large") : .incomplete
        }
        return .complete(head)
    }

    private struct Failure: Error {
        var status: Int
        var reason: String
    }

    private static func requestLine(_ line: ArraySlice<UInt8>) -> Result<HTTPRequestHead, Failure> {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(Failure(status: 400, reason: "malformed request line")) }
        let method = parts[0]
        guard !method.isEmpty, method.allSatisfy(isTokenCharacter) else {
            return .failure(Failure(status: 400, reason: "malformed method"))
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version.hasPrefix("HTTP/"), version.utf8.count == 8 else {
            return .failure(Failure(status: 400, reason: "malformed HTTP version"))
        }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .failure(Failure(status: 505, reason: "\(version) is not supported"))
        }
        guard let path = path(of: String(decoding: parts[1], as: UTF8.self)) else {
            return .failure(Failure(status: 400, reason: "malformed request target"))
        }
        return .success(HTTPRequestHead(method: String(decoding: method, as: UTF8.self), path: path, version: version))
    }

    /// `/metrics?x=1` and the absolute form `http://host:10249/metrics` both route as `/metrics`.
    private static func path(of target: String) -> String? {
        var rest = Substring(target)
        if rest.hasPrefix("http://") || rest.hasPrefix("https://") {
            rest = rest[rest.index(after: rest.firstIndex(of: ":")!)...].dropFirst(2)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        guard rest.hasPrefix("/") || rest == "*" else { return nil }
        guard rest.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        return String(rest)
    }

    /// Whether the head's blank line has arrived: `\r\n\r\n`, or a bare `\n\n` from a sloppy client.
    private static func endOfHead(in bytes: [UInt8], from start: Int) -> Bool {
        var previousLineEnd = start
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                let between = bytes[(previousLineEnd + 1)..<index]
                if between.isEmpty || between == [UInt8(ascii: "\r")] { return true }
                previousLineEnd = index
            }
            index += 1
        }
        return false
    }

    /// RFC 9110 `tchar`.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
