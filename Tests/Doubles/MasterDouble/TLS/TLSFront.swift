import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization
import SwiftASN1
import X509

/// Terminates TLS for the double: verifies the client's certificate (when it sends one)
/// against the double's CA, opens a loopback connection to the plain listener, sends the
/// ``FrontPreamble`` with the verified identity, then relays bytes both ways until either side
/// closes. swift-nio and NIOSSL do the TLS, since the double's own server is plain sockets.
///
/// A client certificate from another CA fails the handshake (BoringSSL verifies it), where
/// kube-apiserver would finish the handshake and answer 401. There is no back-pressure between
/// the two sides: the double's answers are small, and tests read what they ask for.
final class TLSFront: Sendable {
    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    /// NIO's shared group: a group of its own would have to be shut down, and a synchronous
    /// shutdown in `deinit` blocked whichever thread released the last reference (in the tests,
    /// a Swift concurrency thread, for 20 s and more under load).
    private var group: MultiThreadedEventLoopGroup { .singleton }
    private let context: NIOSSLContext
    private let host: String
    private let backendPort: Int
    private let secret: String
    private let state = Mutex(State())
    private let boundPort = Atomic<Int>(0)

    /// - Parameters:
    ///   - serving: the front's certificate and key.
    ///   - authority: the CA client certificates must chain to (PEM).
    ///   - host: the address both the front and the double's plain listener are bound to.
    ///   - backendPort: the double's plain listener.
    init(host: String, port: Int, serving: MasterCertificateAuthority.Pair, authorityPEM: String, backendPort: Int, secret: String) throws {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(serving.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(authorityPEM.utf8)))
        // Asked for, verified when sent; a client without one may use a bearer token.
        configuration.certificateVerification = .optionalVerification
        context = try NIOSSLContext(configuration: configuration)
        self.host = host
        self.backendPort = backendPort
        self.secret = secret
        boundPort.store(port, ordering: .relaxed)
    }

    deinit {
        stop()
    }

    /// The port, the same across `stop()` and `start()`.
    var port: Int { boundPort.load(ordering: .relaxed) }

    /// Listens (again, on the same port after `stop()`).
    func start() throws {
        guard state.withLock({ $0.listener == nil }) else { return }
        let (context, host, backendPort, secret) = (self.context, self.host, self.backendPort, self.secret)
        let listener = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] channel in
                if let self {
                    let id = ObjectIdentifier(channel)
                    state.withLock { $0.connections[id] = channel }
                    channel.closeFuture.whenComplete { [weak self] _ in
                        _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(
                        FrontRelayHandler(backendHost: host, backendPort: backendPort, secret: secret))
                }
            }
            .bind(host: host, port: port).wait()
        boundPort.store(listener.localAddress?.port ?? port, ordering: .relaxed)
        state.withLock { $0.listener = listener }
    }

    /// Stops listening and cuts every relayed connection.
    func stop() {
        let (listener, connections) = state.withLock { state in
            let taken = (state.listener, Array(state.connections.values))
            state.listener = nil
            state.connections = [:]
            return taken
        }
        try? listener?.close().wait()
        for connection in connections { connection.close(promise: nil) }
    }
}

/// One client connection on the front: buffers what the client sends until the loopback
/// connection is up, then relays.
private final class FrontRelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let backendHost: String
    private let backendPort: Int
    private let secret: String
    private var backend: (any Channel)?
    private var pending: [ByteBuffer] = []
    private var closed = false

    init(backendHost: String, backendPort: Int, secret: String) {
        self.backendHost = backendHost
        self.backendPort = backendPort
        self.secret = secret
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { connect(context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if let backend {
            backend.writeAndFlush(bytes, promise: nil)
        } else {
            pending.append(bytes)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        backend?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func connect(_ context: ChannelHandlerContext) {
        let preamble = FrontPreamble(secret: secret, certificateUser: Self.certificateUser(context))
        let front = context.channel
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BackendRelayHandler(front: front))
                }
            }
            .connect(host: backendHost, port: backendPort)
            .whenComplete { result in
                let handler = bound.value
                switch result {
                case .success(let channel):
                    guard !handler.closed else {
                        channel.close(promise: nil)
                        return
                    }
                    handler.backend = channel
                    channel.write(channel.allocator.buffer(string: preamble.line), promise: nil)
                    for bytes in handler.pending { channel.write(bytes, promise: nil) }
                    handler.pending = []
                    channel.flush()
                case .failure:
                    front.close(promise: nil)
                }
            }
    }

    /// The verified client certificate's CN and O, or nil without one.
    private static func certificateUser(_ context: ChannelHandlerContext) -> FrontPreamble.CertificateUser? {
        guard let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let der = try? tls.peerCertificate?.toDERBytes(), let certificate = try? Certificate(derEncoded: der)
        else { return nil }
        func values(_ type: ASN1ObjectIdentifier) -> [String] {
            certificate.subject.flatMap { rdn in rdn.filter { $0.type == type }.map { "\($0.value)" } }
        }
        guard let user = values(.RDNAttributeType.commonName).first, !user.isEmpty else { return nil }
        return FrontPreamble.CertificateUser(user: user, groups: values(.RDNAttributeType.organizationName))
    }
}

/// The loopback side: the double's answers go back to the client.
private final class BackendRelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let front: any Channel

    init(front: any Channel) { self.front = front }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        front.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        front.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
