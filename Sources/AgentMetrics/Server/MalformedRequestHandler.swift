import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request head that does not parse (garbage, a head over the size limit) with 400 and
/// `Connection: close`, then closes: without it the connection would just be dropped.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let body = "400 Bad Request: malformed or oversized request head\n"
        var fields = HTTPFields()
        fields[.connection] = "close"
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.contentLength] = String(body.utf8.count)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .badRequest, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(string: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
