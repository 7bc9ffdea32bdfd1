import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import NIOWebSocket
import StreamingProtocol

/// What a node-port connection became after its first request head.
enum NodeUpgradeResult: Sendable {
    /// Plain HTTP/1.1 (possibly after a refused upgrade, answered from ``ConnectionInfo``).
    case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, any StreamingSession)
    case spdy(NIOAsyncChannel<ByteBuffer, ByteBuffer>, any StreamingSession)
}
