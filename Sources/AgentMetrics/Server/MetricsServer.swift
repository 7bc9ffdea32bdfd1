import Logging
import ServiceLifecycle
import Synchronization

/// Serves the registry over HTTP/1.1 as kube-proxy serves its metrics on 127.0.0.1:10249:
/// `GET /metrics` (Prometheus text format), `GET /healthz` (`ok`), 404 for other paths and 405
/// for other methods on these; one response per connection.
///
/// Plain POSIX sockets on one thread of its own (see ``AcceptLoop``): no event loop, no pool.
/// Nothing starts in the initialiser; ``start()`` listens, ``stop()`` closes the socket and
/// joins the thread, and ``run()`` does both around a ServiceGroup's lifetime:
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
        /// How long a client may take to send its request line and headers, and to take the
        /// response. Default: 5 s (a scrape on loopback takes milliseconds).
        public var requestTimeout: Duration
        /// The largest request head read; a larger one is answered with 431. Default: 8 KiB.
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

    private enum State {
        case idle
        case listening(AcceptLoop, BindAddress)
    }

    private let registry: MetricsRegistry
    private let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State.idle)

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
        state.withLock { state in
            guard case .listening(_, let address) = state else { return nil }
            return address
        }
    }

    /// Listens and serves on a thread of its own; does nothing when already listening.
    /// - Throws: ``MetricsServerError/invalidBindAddress(_:reason:)`` for a malformed address,
    ///   ``MetricsServerError/listen(address:operation:errno:)`` when the socket cannot be
    ///   bound (the port is in use, the address is not this host's).
    public func start() throws(MetricsServerError) {
        let address = try BindAddress(parsing: configuration.bindAddress)
        let exchange = HTTPExchange(
            routes: MetricsRoutes { [registry] in registry.exposition() }, requestTimeout: configuration.requestTimeout,
            maximumHeadBytes: configuration.maximumRequestHeadBytes, logger: logger)
        let started: BindAddress? = try state.withLock { (state: inout State) throws(MetricsServerError) -> BindAddress? in
            guard case .idle = state else { return nil }
            let socket = try ListeningSocket.open(address)
            let loop = AcceptLoop(socket: socket, exchange: exchange, logger: logger)
            var actual = address
            actual.port = loop.port
            loop.start()
            state = .listening(loop, actual)
            return actual
        }
        if let started { logger.info("serving metrics", metadata: ["metrics.address": "\(started)"]) }
    }

    /// Closes the listening socket, cuts a connection being served and waits for the server's
    /// thread to end; does nothing when not listening. ``start()`` may listen again afterwards.
    public func stop() {
        let loop: AcceptLoop? = state.withLock { state in
            guard case .listening(let loop, _) = state else { return nil }
            state = .idle
            return loop
        }
        guard let loop else { return }
        // Bounded: the thread is woken at once and finishes at most the response in hand.
        loop.stop()
        logger.debug("metrics server stopped")
    }

    /// Listens (retrying per ``Configuration/listenRetryInterval``) and serves until the task is
    /// cancelled or the service group shuts down gracefully, then stops. Adopts a server
    /// already started with ``start()``.
    /// - Throws: ``MetricsServerError`` for a malformed bind address, or when listening fails
    ///   and no retry interval is configured.
    public func run() async throws {
        while listeningAddress == nil {
            do {
                try start()
            } catch {
                guard case .listen = error, let retry = configuration.listenRetryInterval else { throw error }
                logger.error("\(error); trying again in \(retry)")
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: retry) }
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
            }
        }
        defer { stop() }
        try? await gracefulShutdown()
    }
}
