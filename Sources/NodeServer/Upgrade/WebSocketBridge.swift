import Logging
import NIOCore
import NIOWebSocket
import StreamingProtocol
@_spi(WSInternal) import WSCore

/// Runs a ``StreamingSession`` on an upgraded WebSocket: swift-websocket's handler answers pings,
/// reassembles fragmented messages and does the close handshake; whole data messages go to the
/// session, and the session's messages go out as single frames.
enum WebSocketBridge {
    private struct Context: WebSocketContext {
        let logger: Logger
    }

    static func run(
        session: any StreamingSession, channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, maximumFrameBytes: Int,
        maximumMessageBytes: Int, logger: Logger
    ) async {
        let configuration = WebSocketHandler.Configuration(
            extensions: [], autoPing: .disabled, closeTimeout: .seconds(15), validateUTF8: false, maxFrameSize: maximumFrameBytes)
        do {
            _ = try await WebSocketHandler.handle(
                type: .server, configuration: configuration, asyncChannel: channel, context: Context(logger: logger)
            ) { inbound, outbound, _ in
                let (messages, continuation) = AsyncStream<StreamingProtocol.WebSocketMessage>.makeStream()
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        defer { continuation.finish() }
                        do {
                            for try await message in inbound.messages(maxSize: maximumMessageBytes) {
                                switch message {
                                case .text(let text): continuation.yield(.text(text))
                                case .binary(let buffer): continuation.yield(.binary(Array(buffer: buffer)))
                                }
                            }
                        } catch {
                            logger.debug("WebSocket read ended: \(error)")
                        }
                    }
                    await session.runWebSocket(inbound: messages) { message in
                        switch message {
                        case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                        case .text(let text): try await outbound.write(.text(text))
                        }
                    }
                    // The session is done: stop reading so that the handler can close.
                    group.cancelAll()
                }
            }
        } catch {
            logger.debug("WebSocket session ended: \(error)")
        }
    }
}
