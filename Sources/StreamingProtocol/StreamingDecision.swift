/// What a ``StreamingResponder`` makes of a request before the connection is upgraded.
public enum StreamingDecision: Sendable {
    /// Upgrade: the server answers 101 with these extra headers (for SPDY the chosen
    /// `X-Stream-Protocol-Version`; for WebSocket the chosen `Sec-WebSocket-Protocol`, if any),
    /// then runs `session` on the upgraded connection.
    case accept(responseHeaders: [StreamingHeader], session: any StreamingSession)
    /// No upgrade: the server answers `status` with `message` as a plain-text body (400 for a bad
    /// query, 404 for an unknown pod or container, ...). The message names the object and field.
    case reject(status: Int, message: String)
}

/// One response header of an accepted upgrade.
public struct StreamingHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
