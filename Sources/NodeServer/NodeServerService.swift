import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// kubelet's node API as a ServiceLifecycle service: HTTPS on `--address`:`--port` (10250) with
/// authentication and authorization, and plain `/healthz` on `--healthz-bind-address`:
/// `--healthz-port` (10248).
///
/// Nothing happens in the initialiser; ``run()`` loads or generates the certificate, reads the
/// client CA bundle, listens on both ports and serves until the group shuts down (in-flight
/// requests get ``NodeServerConfiguration/shutdownGracePeriod``, then are cut).
///
/// ```swift
/// let server = NodeServerService(
///     configuration: .init(nodeName: node, clientCAFile: caFile),
///     endpoints: NodeEndpoints(pods: provider, healthChecks: checks),
///     tokenReviewer: CachingTokenReviewer(MasterTokenReviewer(client: master)),
///     authorizer: CachingAuthorizer(MasterSubjectAccessReviewer(client: master)), logger: logger)
/// services.append(server)
/// ```
public final class NodeServerService: ServiceLifecycle.Service, Sendable {
    /// The ports listened on, once both listeners are up.
    public struct ListeningPorts: Sendable, Hashable {
        public var port: Int
        public var healthzPort: Int?
    }

    private let configuration: NodeServerConfiguration
    private let endpoints: NodeEndpoints
    private let tokenReviewer: (any TokenReviewer)?
    private let authorizer: any Authorizer
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let ports = Mutex<(ports: ListeningPorts?, waiters: [CheckedContinuation<ListeningPorts, Never>])>((nil, []))

    /// - Parameters:
    ///   - tokenReviewer: checks bearer tokens (`--authentication-token-webhook`); nil: bearer
    ///     tokens do not authenticate.
    ///   - authorizer: `--authorization-mode`: ``AlwaysAllowAuthorizer`` or a (cached)
    ///     ``MasterSubjectAccessReviewer``.
    public init(
        configuration: NodeServerConfiguration, endpoints: NodeEndpoints, tokenReviewer: (any TokenReviewer)?,
        authorizer: any Authorizer, logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.endpoints = endpoints
        self.tokenReviewer = tokenReviewer
        self.authorizer = authorizer
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
    }

    /// Waits until both listeners are up and returns their ports (the kernel's pick for 0).
    public func listening() async -> ListeningPorts {
        await withCheckedContinuation { continuation in
            let ready = ports.withLock { state -> ListeningPorts? in
                if let ports = state.ports { return ports }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// - Throws: ``NodeServerError`` when the certificate, key or client CA cannot be loaded or
    ///   made; a listen error when a port is taken.
    public func run() async throws {
        let files: ServingCertificate.Files
        if let certificate = configuration.tlsCertificateFile, let key = configuration.tlsPrivateKeyFile {
            files = .init(certificate: certificate, privateKey: key)
        } else {
            files = try ServingCertificate.ensure(
                directory: configuration.certificateDirectory, hostnames: configuration.certificateHostnames,
                addresses: configuration.certificateAddresses)
        }
        let clientCertificates = try configuration.clientCAFile.map { path throws(NodeServerError) in
            try ClientCertificateAuthenticator(caFile: path)
        }
        let tls = try NodeTLS(files: files, requestClientCertificates: clientCertificates != nil)
        let handler = NodeRequestHandler(
            nodeName: configuration.nodeName,
            authenticator: RequestAuthenticator(
                clientCertificates: clientCertificates, tokenReviewer: tokenReviewer, allowsAnonymous: configuration.anonymousAuth),
            authorizer: authorizer, endpoints: endpoints, logger: logger)
        let nodeChannel = NodeChildChannel(
            handler: handler, tls: tls, maximumHeadBytes: configuration.maximumRequestHeadBytes,
            maximumWebSocketFrameBytes: 1 << 20, maximumWebSocketMessageBytes: 4 << 20)

        let expected = configuration.healthzPort == nil ? 1 : 2
        let started = Mutex<(node: Int?, healthz: Int?, count: Int)>((nil, nil, 0))
        let announce: @Sendable (_ isNode: Bool, _ port: Int) -> Void = { [self] isNode, port in
            let complete = started.withLock { state -> ListeningPorts? in
                if isNode { state.node = port } else { state.healthz = port }
                state.count += 1
                guard state.count == expected, let node = state.node else { return nil }
                return ListeningPorts(port: node, healthzPort: state.healthz)
            }
            if let complete { publish(complete) }
        }
        let nodeAddress = "\(configuration.address):\(configuration.port)"
        var listeners: [(address: String, make: @Sendable () -> any Service)] = [
            (
                nodeAddress,
                { [configuration, eventLoopGroup, logger] in
                    Server(
                        childChannelSetup: nodeChannel,
                        configuration: .init(address: .hostname(configuration.address, port: configuration.port), backlog: 1024),
                        onServerRunning: { channel in
                            let port = channel.localAddress?.port ?? configuration.port
                            logger.info(
                                "serving the node API",
                                metadata: [
                                    "node.address": "\(configuration.address)", "node.port": "\(port)", "tls.certificate": "\(files.certificate)",
                                ])
                            announce(true, port)
                        }, eventLoopGroup: eventLoopGroup, logger: logger)
                }
            )
        ]
        if let healthzPort = configuration.healthzPort {
            let checks = endpoints.healthChecks
            let healthz = HTTP1Channel(responder: { request, writer, _ in
                guard request.uri.path == "/healthz" else {
                    try await NodeRequestHandler.writeText(writer, 404, "404 page not found", sendsBody: request.method != .head)
                    return
                }
                let (status, text) = await NodeRequestHandler.healthz(checks)
                try await NodeRequestHandler.writeText(writer, status, text, sendsBody: request.method != .head)
            })
            listeners.append(
                (
                    "\(configuration.healthzBindAddress):\(healthzPort)",
                    { [configuration, eventLoopGroup, logger] in
                        Server(
                            childChannelSetup: healthz,
                            configuration: .init(address: .hostname(configuration.healthzBindAddress, port: healthzPort)),
                            onServerRunning: { channel in
                                let port = channel.localAddress?.port ?? healthzPort
                                logger.info(
                                    "serving /healthz",
                                    metadata: ["healthz.address": "\(configuration.healthzBindAddress)", "healthz.port": "\(port)"])
                                announce(false, port)
                            }, eventLoopGroup: eventLoopGroup, logger: logger)
                    }
                ))
        }
        let grace = configuration.shutdownGracePeriod
        try await withThrowingTaskGroup(of: Void.self) { group in
            for listener in listeners {
                group.addTask { try await self.runRetrying(address: listener.address, listener.make) }
            }
            // Servers wait for open connections on graceful shutdown; a log follow or an exec
            // session never ends by itself, so they are cut after the grace period.
            group.addTask {
                try? await gracefulShutdown()
                if Task.isCancelled { return }
                try? await Task.sleep(for: grace)
                throw CancellationError()
            }
            do {
                for _ in listeners { try await group.next() }
            } catch is CancellationError {
            }
            group.cancelAll()
        }
    }

    /// Runs one listener; while its address cannot be bound (the port is taken, the address
    /// not yet the host's) logs and tries again every ``NodeServerConfiguration/listenRetryInterval``
    /// rather than ending the agent, as kube-proxy does with its metrics.
    private func runRetrying(address: String, _ make: @Sendable () -> any Service) async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await make().run()
                return
            } catch let error as IOError {
                guard let retry = configuration.listenRetryInterval else {
                    throw NodeServerError.listen(address: address, reason: "\(error)")
                }
                logger.error("cannot listen on \(address): \(error); trying again in \(retry)")
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: retry) }
            }
        }
    }

    private func publish(_ ready: ListeningPorts) {
        let waiters = ports.withLock { state in
            state.ports = ready
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: ready) }
    }
}
