import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves the registry over HTTP/1.1 as kube-proxy serves its metrics on 127.0.0.1:10249:
/// `GET /metrics` (Prometheus text format), `GET /healthz` (`ok`), 404 for other paths and 405
/// for other methods on these. On Hummingbird (swift-nio), as the node API is.
///
/// Nothing starts in the initialiser; ``run()`` listens (retrying while the port is taken) and
/// serves until the service group shuts down or the task is cancelled:
///
/// ```swift
/// let server = MetricsServer(registry: registry, configuration: .init(bindAddress: flag), logger: logger)
/// services.append(server)  // ServiceGroup(configuration: .init(services: ...))
/// ```
public final class MetricsServer: ServiceLifecycle.Service, Sendable {
    public struct Configuration: Sendable {
        /// Where to listen, `host:port` (see ``BindAddress``). Default: kube-proxy's
        /// `127.0.0.1:10249`. Port 0 takes any free port; ``MetricsServer/port`` tells which.
        public var bindAddress: String
        /// How long a connection may stay without a request before it is closed. Default: 5 s
        /// (a scrape on loopback takes milliseconds).
        public var requestTimeout: Duration
        /// The largest request head read; a larger one is answered with 400 and the connection
        /// closed. Default: 8 KiB.
        public var maximumRequestHeadBytes: Int
        /// How long ``MetricsServer/run()`` waits before trying again when it cannot listen (the
        /// port is taken, the address not yet this host's), logging each failure, as kube-proxy
        /// does every 5 s; nil makes `run()` throw the error instead. Default: 5 s.
        public var listenRetryInterval: Duration?

        public init(
            bindAddress: String = "127.0.0.1:10249", requestTimeout: Duration = .seconds(5),
            maximumRequestHeadBytes: Int = 8192, listenRetryInterval: Duration? = .seconds(5)
        ) {
            self.bindAddress = bindAddress
            self.requestTimeout = requestTimeout
            self.maximumRequestHeadBytes = maximumRequestHeadBytes
            self.listenRetryInterval = listenRetryInterval
        }
    }

    private let registry: MetricsRegistry
    private let configuration: Configuration
    private let logger: Logger
    private let listening = Mutex<BindAddress?>(nil)

    /// - Parameters:
    ///   - registry: whose metrics `GET /metrics` returns.
    ///   - configuration: address, timeouts and limits.
    ///   - logger: gets the address listened on, and listen failures.
    public init(registry: MetricsRegistry, configuration: Configuration = .init(), logger: Logger) {
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
    }

    /// The port listened on (the kernel's pick when the address asked for 0); nil when not
    /// listening.
    public var port: Int? {
        listeningAddress.map { Int($0.port) }
    }

    /// The address listened on, with the actual port; nil when not listening.
    public var listeningAddress: BindAddress? {
        listening.withLock { $0 }
    }

    /// Listens (retrying per ``Configuration/listenRetryInterval``) and serves until the task is
    /// cancelled or the service group shuts down gracefully.
    /// - Throws: ``MetricsServerError`` for a malformed bind address, or when listening fails
    ///   and no retry interval is configured.
    public func run() async throws {
        let address = try BindAddress(parsing: configuration.bindAddress)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await serve(address)
                return
            } catch {
                guard case .listen = error, let retry = configuration.listenRetryInterval else { throw error }
                logger.error("\(error); trying again in \(retry)")
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: retry) }
            }
        }
    }

    /// One Hummingbird server's life; a bind failure is thrown as ``MetricsServerError/listen(address:operation:errno:)``.
    private func serve(_ address: BindAddress) async throws(MetricsServerError) {
        let routes = MetricsRoutes { [registry] in registry.exposition() }
        let idleTimeout = TimeAmount(configuration.requestTimeout)
        let channel = HTTP1Channel(
            responder: { request, writer, _ in
                let answer = routes.response(method: request.method.rawValue, path: request.uri.path)
                var fields = HTTPFields()
                fields[.contentType] = answer.contentType
                fields[.contentLength] = String(answer.body.count)
                for header in answer.headers {
                    if let name = HTTPField.Name(header.name) { fields[name] = header.value }
                }
                let head = HTTPResponse(status: .init(code: answer.status), headerFields: fields)
                if answer.sendsBody {
                    try await writer.write(response: head, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
                } else {
                    try await writer.writeResponse(head)
                }
            },
            configuration: .init(
                additionalChannelHandlers: [MalformedRequestHandler()],
                idleTimeout: idleTimeout,
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: configuration.maximumRequestHeadBytes, maxHeaderListSize: configuration.maximumRequestHeadBytes)
            ))
        let server = Server(
            childChannelSetup: channel,
            configuration: .init(address: .hostname(address.host, port: Int(address.port))),
            onServerRunning: { [logger, self] serverChannel in
                var actual = address
                actual.port = UInt16(serverChannel.localAddress?.port ?? Int(address.port))
                self.listening.withLock { $0 = actual }
                logger.info("serving metrics", metadata: ["metrics.address": "\(actual)"])
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        defer { listening.withLock { $0 = nil } }
        do {
            // The server's run is never cancelled: a cancelled run can leave a connection it
            // accepted unserved, and NIO then traps on that connection's writer ("Deinited
            // NIOAsyncWriter without calling finish()", apple/swift-nio#3481; seen in CI when
            // a client had connected just before the stop). Cancelling us asks for a graceful
            // shutdown instead: the listener closes, what was accepted is served, run returns.
            let running = Task { try await server.run() }
            try await withTaskCancellationHandler {
                try await running.value
            } onCancel: {
                Task { try? await server.shutdownGracefully() }
            }
        } catch let error as IOError {
            if Task.isCancelled { return }
            throw .listen(address: "\(address)", operation: "bind", errno: error.errnoCode)
        } catch {
            // cancelled before the server started: it refuses to run once shut down
            if Task.isCancelled { return }
            throw .listen(address: "\(address)", operation: "listen", errno: 0)
        }
    }
}
