/// One accepted exec, attach or port-forward on an upgraded connection.
public protocol StreamingSession: Sendable {
    /// Runs the session over SPDY/3.1. `inbound` yields the raw bytes the client sent after the
    /// upgrade and ends when the client closes; `write` sends raw bytes. Returning closes the
    /// connection.
    func runSPDY(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async
    /// Runs the session over WebSocket. `inbound` yields whole data messages (the server answers
    /// pings and handles close frames) and ends when the client closes; `send` writes one message.
    /// Returning closes the socket with a normal closure.
    func runWebSocket(
        inbound: AsyncStream<WebSocketMessage>, send: @escaping @Sendable (WebSocketMessage) async throws -> Void) async
}

/// A WebSocket data message.
public enum WebSocketMessage: Sendable, Equatable {
    case binary([UInt8])
    case text(String)
}
