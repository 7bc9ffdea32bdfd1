/// One request for `/exec`, `/attach` or `/portForward` that asks to upgrade its connection,
/// already authenticated and authorized by the node server.
///
/// This module is the seam between the node server (HTTP, TLS, upgrades; on swift-nio) and the
/// remote-command sessions (Docker, SPDY and WebSocket channel protocols), so that neither
/// depends on the other and the sessions need no NIO.
public struct StreamingRequest: Sendable {
    /// `GET` or `POST`.
    public var method: String
    /// The path, e.g. `/exec/default/web/nginx`, with each segment percent-decoded.
    public var path: String
    /// Every value of each query parameter, in order, percent-decoded.
    public var query: [String: [String]]
    /// Request headers; names lowercased.
    public var headers: [String: [String]]
    /// The authenticated user, for logs.
    public var user: String

    public init(method: String, path: String, query: [String: [String]], headers: [String: [String]], user: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.user = user
    }
}
