/// One HTTP request, relative to an ``HTTPEndpoint``.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    /// Path and query, starting with `/`, already percent-encoded.
    public var path: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    /// Whole-request deadline; nil means no limit (streams).
    public var timeout: Duration?
    /// A stream that delivers no byte for this long is treated as broken (watch hangs).
    public var idleTimeout: Duration?
    /// How much of the response body is read into memory (plain requests; streams are not
    /// collected). Past it the request fails with ``HTTPError/bodyTooLarge(request:limit:)``
    /// unless the limit says to truncate or drain. Default ``BodyLimit/default`` (64 MiB).
    public var bodyLimit: BodyLimit = .default

    public init(
        method: String = "GET", path: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
        timeout: Duration? = .seconds(30), idleTimeout: Duration? = nil
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.idleTimeout = idleTimeout
    }

    /// A request with a JSON body and the matching content type.
    public static func json(
        _ method: String, _ path: String, body: [UInt8], contentType: String = "application/json",
        timeout: Duration? = .seconds(30)
    ) -> HTTPRequest {
        HTTPRequest(
            method: method, path: path, headers: [HTTPHeader("Content-Type", contentType)],
            body: body, timeout: timeout)
    }
}

public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
