/// The head of an HTTP/1.1 response read off a ``RawConnection``, typically `101 Switching
/// Protocols` (or Docker's `200` for a hijacked stream), and the bytes that followed it.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var reason: String
    /// Every header in the order received, names as sent.
    public var headers: [HTTPHeader]
    /// Bytes read past the head's blank line: the start of the upgraded protocol.
    public var leftover: [UInt8]

    public init(status: Int, reason: String, headers: [HTTPHeader], leftover: [UInt8]) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.leftover = leftover
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Parses a response head from the start of `bytes`; nil while the blank line has not arrived.
    /// - Throws: ``HTTPError/transport(request:code:message:)`` for a malformed status line.
    public static func parse(_ bytes: [UInt8], request: String) throws(HTTPError) -> HTTPResponseHead? {
        guard let end = headEnd(in: bytes) else { return nil }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .transport(request: request, code: -1, message: "malformed response status line \"\(statusLine.prefix(120))\"")
        }
        var headers: [HTTPHeader] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append(HTTPHeader(String(line[..<colon]), String(value.reversed().drop { $0 == " " || $0 == "\t" }.reversed())))
        }
        return HTTPResponseHead(
            status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers,
            leftover: Array(bytes[(end + 4)...]))
    }

    /// Index of the CRLFCRLF that ends the head.
    static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

extension RawConnection {
    /// Sends `request` as HTTP/1.1 (request line, `Host`, the endpoint's bearer token, the
    /// request's headers, `Content-Length` and body) and reads the response head. The caller
    /// adds the upgrade headers it needs (`Connection: Upgrade`, `Upgrade: ...`); whatever the
    /// status, the connection stays open and the caller decides.
    ///
    /// - Parameters:
    ///   - request: method, path (relative to the endpoint's base URL), headers, body;
    ///     `request.timeout` bounds the wait for the response head.
    ///   - maxHeadBytes: a longer head is an error (a peer that never ends its head).
    /// - Throws: ``HTTPError`` when the connection breaks, the head is malformed or too long, or
    ///   the time-out passes.
    public func upgrade(_ request: HTTPRequest, maxHeadBytes: Int = 65_536) async throws -> HTTPResponseHead {
        let label = "\(request.method) \(endpoint)\(request.path)"
        try await send(Self.requestHead(request, endpoint: endpoint) + (request.body ?? []))
        let readHead: @Sendable () async throws -> HTTPResponseHead = { [self] in
            var received: [UInt8] = []
            while true {
                guard let chunk = try await receive() else {
                    throw HTTPError.transport(
                        request: label, code: -1,
                        message: "the peer closed the connection before the end of the response head (\(received.count) bytes)")
                }
                received += chunk
                if let head = try HTTPResponseHead.parse(received, request: label) { return head }
                if received.count > maxHeadBytes {
                    throw HTTPError.transport(request: label, code: -1, message: "response head longer than \(maxHeadBytes) bytes")
                }
            }
        }
        guard let timeout = request.timeout else { return try await readHead() }
        return try await withThrowingTaskGroup(of: HTTPResponseHead?.self) { group in
            group.addTask { try await readHead() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let head = first else {
                throw HTTPError.timedOut(request: label, after: timeout)
            }
            return head
        }
    }

    /// The request line and headers, ending in the blank line.
    static func requestHead(_ request: HTTPRequest, endpoint: HTTPEndpoint) -> [UInt8] {
        var (host, basePath) = ("localhost", "")
        if endpoint.unixSocketPath == nil, let schemeEnd = endpoint.baseURL.range(of: "://") {
            let rest = endpoint.baseURL[schemeEnd.upperBound...]
            if let slash = rest.firstIndex(of: "/") {
                host = String(rest[..<slash])
                basePath = String(rest[slash...])
            } else {
                host = String(rest)
            }
        }
        var head = "\(request.method) \(basePath)\(request.path) HTTP/1.1\r\n"
        let named = Set(request.headers.map { $0.name.lowercased() })
        if !named.contains("host") { head += "Host: \(host)\r\n" }
        if let token = endpoint.currentBearerToken, !named.contains("authorization") { head += "Authorization: Bearer \(token)\r\n" }
        for header in request.headers { head += "\(header.name): \(header.value)\r\n" }
        if let body = request.body, !named.contains("content-length") {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8)
    }
}
