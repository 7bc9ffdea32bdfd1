/// Why an HTTP exchange failed, with enough context to say which request it was.
public enum HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The exchange did not complete: connect refused, reset, DNS, TLS. `code` is curl's.
    case transport(request: String, code: Int32, message: String)
    /// No complete answer within the request's timeout (or a stream idle past its limit).
    case timedOut(request: String, after: Duration)
    /// The caller cancelled.
    case cancelled(request: String)
    /// The peer answered with a status outside 2xx (streams only; plain requests return it).
    case status(request: String, code: Int, body: String)
    /// The response body was longer than the request's ``BodyLimit`` allows; the transfer was
    /// aborted after `limit` bytes.
    case bodyTooLarge(request: String, limit: Int)

    public var description: String {
        switch self {
        case let .transport(request, code, message): "\(request): transport error \(code): \(message)"
        case let .timedOut(request, after): "\(request): timed out after \(after)"
        case let .cancelled(request): "\(request): cancelled"
        case let .status(request, code, body): "\(request): HTTP \(code): \(body.prefix(512))"
        case let .bodyTooLarge(request, limit): "\(request): response body longer than the limit of \(limit) bytes"
        }
    }
}
