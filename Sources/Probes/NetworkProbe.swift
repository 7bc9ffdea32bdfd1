#if canImport(Glibc)
import Glibc  // strerror
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP GET or a TCP connect from the node to a container, as kubelet's prober makes them:
/// a new connection each time (`Connection: close`, as kubelet disables keep-alive), HTTPS
/// without certificate checks, the response's status only, at most `maxBodyBytes` of its body
/// read, everything within one timeout, on an event loop of swift-nio. Probes use it for HTTPS
/// and for host names; an address over plain HTTP or TCP goes through ``SocketProbe``.
struct NetworkProbe: Sendable {
    /// Why a probe's connection or request failed, worded like Go's errors in kubelet's events.
    enum Failure: Error, CustomStringConvertible {
        case dial(target: String, reason: String)
        case timedOut(Duration)
        case closedEarly
        case tls(String)
        case other(String)

        var description: String {
            switch self {
            case let .dial(target, reason): "dial tcp \(target): \(reason)"
            case let .timedOut(timeout): "request timed out after \(Self.seconds(timeout)) (Client.Timeout exceeded while awaiting headers)"
            case .closedEarly: "EOF: the connection was closed before a complete response"
            case let .tls(text): "TLS: \(text)"
            case let .other(text): text
            }
        }

        static func seconds(_ duration: Duration) -> String {
            let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            return millis % 1000 == 0 ? "\(millis / 1000) s" : "\(Double(millis) / 1000) s"
        }
    }

    let eventLoop: any EventLoop
    let maxBodyBytes: Int

    /// The headers of a probe's GET: Host, User-Agent (`kube-probe/clc-node`) and Accept unless
    /// the probe gives its own, the probe's, and `Connection: close`.
    static func requestHeaders(tls: Bool, host: String, port: Int, given: [(String, String)]) -> [(String, String)] {
        let named = Set(given.map { $0.0.lowercased() })
        var headers: [(String, String)] = []
        if !named.contains("host") {
            headers.append(("Host", port == (tls ? 443 : 80) ? bracketed(host) : target(host: host, port: port)))
        }
        headers += given
        for (name, value) in [("User-Agent", "kube-probe/clc-node"), ("Accept", "*/*")] where !named.contains(name.lowercased()) {
            headers.append((name, value))
        }
        headers.append(("Connection", "close"))
        return headers
    }

    /// A probe's whole request as it goes on the wire.
    static func request(path: String, headers: [(String, String)]) -> [UInt8] {
        var text = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// The status of `GET path` at `host:port`, with ``requestHeaders(tls:host:port:given:)``.
    func httpStatus(
        tls: Bool, host: String, port: Int, path: String, headers: [(String, String)], timeout: Duration
    ) -> EventLoopFuture<Int> {
        let promise = eventLoop.makePromise(of: Int.self)
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path.isEmpty ? "/" : path)
        head.headers.add(contentsOf: Self.requestHeaders(tls: tls, host: host, port: port, given: headers))
        let sslContext: NIOSSLContext?
        if tls {
            switch Self.insecureTLS {
            case let .success(context): sslContext = context
            case let .failure(error):
                // Completed on the loop, as every promise must be.
                eventLoop.execute { promise.fail(Failure.tls("\(error)")) }
                return promise.futureResult
            }
        } else {
            sslContext = nil
        }
        let maxBody = maxBodyBytes
        let request = head
        connect(host: host, port: port, timeout: timeout, promise: promise) { channel, address in
            let sync = channel.pipeline.syncOperations
            if let sslContext {
                // SNI for a name, none for an address literal.
                try sync.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: address == nil ? host : nil))
            }
            try sync.addHTTPClientHandlers()
            try sync.addHandler(StatusReader(request: request, maxBodyBytes: maxBody, promise: promise))
        }
        return promise.futureResult
    }

    /// Succeeds when a connection to `host:port` opens (it is closed at once, nothing sent).
    func tcpConnect(host: String, port: Int, timeout: Duration) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        connect(host: host, port: port, timeout: timeout, promise: promise) { channel, _ in
            channel.close(promise: nil)
            promise.succeed(())
        }
        return promise.futureResult
    }

    /// Connects within `timeout`, lets `setUp` build the pipeline of the open channel (given
    /// the address when the host was one, nil for a name that was resolved), and fails `promise`
    /// (closing the channel) if it has not completed when the timeout passes.
    private func connect<Value>(
        host: String, port: Int, timeout: Duration, promise: EventLoopPromise<Value>,
        setUp: @escaping @Sendable (any Channel, SocketAddress?) throws -> Void
    ) {
        let amount = TimeAmount(timeout)
        let target = Self.target(host: host, port: port)
        let bootstrap = ClientBootstrap(group: eventLoop).connectTimeout(amount)
        let address = try? SocketAddress(ipAddress: host, port: port)
        let connected = address.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: host, port: port)
        let deadline = eventLoop.scheduleTask(in: amount) {
            promise.fail(Failure.timedOut(timeout))
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        connected.whenComplete { result in
            switch result {
            case let .success(channel):
                // A timeout that came first leaves nothing open behind it.
                promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                do { try setUp(channel, address) } catch { promise.fail(error) }
            case let .failure(error):
                promise.fail(Self.dialFailure(error, target: target, timeout: timeout))
            }
        }
    }

    private static func dialFailure(_ error: any Error, target: String, timeout: Duration) -> Failure {
        if let io = error as? IOError { return .dial(target: target, reason: "connect: \(Self.errnoText(io.errnoCode))") }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return .dial(target: target, reason: "i/o timeout after \(Failure.seconds(timeout))") }
        if let connection = error as? NIOConnectionError {
            if let io = connection.connectionErrors.first?.error as? IOError {
                return .dial(target: target, reason: "connect: \(Self.errnoText(io.errnoCode))")
            }
            if let dns = connection.dnsAError ?? connection.dnsAAAAError { return .dial(target: target, reason: "lookup: \(dns)") }
        }
        return .dial(target: target, reason: "\(error)")
    }

    /// An errno as Go's errors word it ("connection refused").
    static func errnoText(_ code: CInt) -> String {
        String(cString: strerror(code)).lowercased()
    }

    /// A host as it goes before a port: an IPv6 address in brackets.
    static func bracketed(_ host: String) -> String { host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host }

    /// `host:port` as Go writes it in kubelet's messages and a Host header carries it.
    static func target(host: String, port: Int) -> String { "\(bracketed(host)):\(port)" }

    /// One client context for every HTTPS probe: kubelet's prober skips certificate checks.
    private static let insecureTLS: Result<NIOSSLContext, any Error> = Result {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try NIOSSLContext(configuration: configuration)
    }
}

/// Sends the request when the connection is up, then reads the status and at most
/// `maxBodyBytes` of the body; the promise gets the status once the body ended or the limit was
/// reached (the rest is not read).
private final class StatusReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: HTTPRequestHead
    private let maxBodyBytes: Int
    private let promise: EventLoopPromise<Int>
    private var status: Int?
    private var bodyBytes = 0

    init(request: HTTPRequestHead, maxBodyBytes: Int, promise: EventLoopPromise<Int>) {
        self.request = request
        self.maxBodyBytes = maxBodyBytes
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { send(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
        context.fireChannelActive()
    }

    private func send(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            status = Int(head.status.code)
        case let .body(buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes >= maxBodyBytes, let status { promise.succeed(status) }
        case .end:
            if let status { promise.succeed(status) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(NetworkProbe.Failure.closedEarly)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? NIOSSLError {
            promise.fail(NetworkProbe.Failure.tls("\(tls)"))
        } else {
            promise.fail(NetworkProbe.Failure.other("\(error)"))
        }
        context.close(promise: nil)
    }
}
