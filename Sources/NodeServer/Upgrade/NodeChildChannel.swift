import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOSSL
import NIOWebSocket
import StreamingProtocol
@_spi(WSInternal) import WSCore

/// The node port's connections: TLS (when configured), then HTTP/1.1 with two upgraders on the
/// first request, WebSocket and SPDY/3.1, modelled on hummingbird-websocket's
/// HTTP1WebSocketUpgradeChannel. Authentication and authorization run before any upgrade (in
/// `shouldUpgrade`); a refused upgrade is answered as a plain 401/403 (or the responder's
/// rejection) and the connection closed.
struct NodeChildChannel: ServerChildChannel, HTTPChannelHandler {
    struct Value: ServerChildChannelValue {
        let result: EventLoopFuture<NodeUpgradeResult>
        let info: ConnectionInfo
        let channel: any Channel
    }

    let handler: NodeRequestHandler
    let tls: NodeTLS?
    /// The largest request head (request line and headers) read; larger ones get 400 and the
    /// connection closes.
    let maximumHeadBytes: Int
    /// The largest WebSocket frame and message accepted.
    let maximumWebSocketFrameBytes: Int
    let maximumWebSocketMessageBytes: Int

    /// Unused: each connection answers through ``respond(_:_:info:)`` with its own
    /// ``ConnectionInfo`` (see ``handle(value:logger:)``).
    var responder: HTTPChannelHandler.Responder { { _, _, _ in } }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let info = ConnectionInfo(remoteAddress: channel.remoteAddress)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ClientGoneHandler(info: info))
            if let tls {
                if tls.requestsClientCertificates {
                    // Accept any chain here; the authenticator verifies it per request.
                    try pipeline.addHandler(
                        NIOSSLServerHandler(context: tls.context) { certificates, promise in
                            info.peerCertificates = certificates.compactMap { try? $0.toDERBytes() }
                            promise.succeed(.certificateVerified)
                        })
                } else {
                    try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
                }
            }
            let handler = handler
            let webSocket = NIOTypedWebSocketServerUpgrader<NodeUpgradeResult>(
                maxFrameSize: maximumWebSocketFrameBytes,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask {
                        guard let extra = await Self.prepare(handler, head, .webSocket, info) else { return nil }
                        return HTTPHeaders(extra.map { ($0.name, $0.value) })
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let session = info.takeSession() else { throw SPDYUpgrader.Refused() }
                        let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return .webSocket(asyncChannel, session)
                    }
                })
            let spdy = SPDYUpgrader(prepare: { head in await Self.prepare(handler, head, .spdy, info) }, info: info)
            let upgrade = NIOTypedHTTPServerUpgradeConfiguration<NodeUpgradeResult>(
                upgraders: [webSocket, spdy],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: tls != nil))
                        try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return .notUpgraded(asyncChannel)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrade)
            configuration.enablePipelining = false  // NIOAsyncChannel reads one request at a time
            // Malformed or oversized heads: 400, Connection: close, and the decoder closes.
            configuration.enableErrorHandling = true
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validates
            configuration.decoderConfiguration.maxHeaderFieldSize = maximumHeadBytes
            configuration.decoderConfiguration.maxHeaderListSize = maximumHeadBytes
            let result = try pipeline.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(result: result, info: info, channel: channel)
        }
    }

    /// Asks the handler about an upgrade: the extra 101 headers when accepted (the session is
    /// left in `info`), nil when refused (the refusal is left in `info`) or not a streaming path.
    private static func prepare(
        _ handler: NodeRequestHandler, _ head: HTTPRequestHead, _ transport: StreamingTransport, _ info: ConnectionInfo
    ) async -> [StreamingHeader]? {
        let preparation = await handler.prepareUpgrade(
            method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, transport: transport,
            info: info)
        switch preparation {
        case .notStreaming:
            return nil
        case .refused(let refusal):
            info.setRefusal(refusal)
            return nil
        case .accepted(let headers, let session):
            info.setSession(session)
            return headers
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.result.get() {
            case .notUpgraded(let http):
                if let refusal = value.info.takeRefusal() {
                    await Self.writeRefusal(refusal, on: http, logger: logger)
                } else {
                    let handler = handler
                    let info = value.info
                    let perConnection = PerConnection(responder: { request, writer, _ in
                        try await handler.respond(request, writer, info: info)
                    })
                    await perConnection.handleHTTP(asyncChannel: http, logger: logger)
                }
            case .webSocket(let channel, let session):
                await WebSocketBridge.run(
                    session: session, channel: channel, maximumFrameBytes: maximumWebSocketFrameBytes,
                    maximumMessageBytes: maximumWebSocketMessageBytes, logger: logger)
            case .spdy(let channel, let session):
                await SPDYBridge.run(session: session, channel: channel, logger: logger)
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("connection closed before a request")
        } catch {
            logger.debug("node API connection ended: \(error)")
            try? await value.channel.close()
        }
    }

    /// A refused upgrade: its status and message, then close.
    private static func writeRefusal(
        _ refusal: ConnectionInfo.Refusal, on channel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, logger: Logger
    ) async {
        do {
            try await channel.executeThenClose { _, outbound in
                var fields = HTTPFields()
                fields[.contentType] = "text/plain; charset=utf-8"
                fields[.contentLength] = String(refusal.message.utf8.count)
                fields[.connection] = "close"
                try await outbound.write(
                    contentsOf: [
                        .head(HTTPResponse(status: .init(code: refusal.status), headerFields: fields)),
                        .body(ByteBuffer(string: refusal.message)), .end(nil),
                    ])
            }
        } catch {
            logger.trace("cannot answer a refused upgrade: \(error)")
        }
    }
}

/// Hummingbird's HTTP/1.1 request loop with a responder bound to one connection.
private struct PerConnection: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>
    let responder: HTTPChannelHandler.Responder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
