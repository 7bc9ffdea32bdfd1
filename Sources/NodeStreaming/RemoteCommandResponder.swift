import DockerEngine
import Logging
import StreamingProtocol

/// kubelet's `/exec`, `/attach` and `/portForward` over WebSocket and SPDY: resolves the pod
/// and container, validates the query, negotiates the channel protocol, and hands the node
/// server a session to run on the upgraded connection.
public struct RemoteCommandResponder: StreamingResponder {
    let resolver: any StreamTargetResolver
    let containers: any ContainerStreaming
    let dialer: any PodPortDialer
    let timeouts: StreamingTimeouts
    let logger: Logger

    /// - Parameters:
    ///   - resolver: pods and containers by name (the agent's pod manager).
    ///   - containers: the engine's hijacked streams (a ``DockerClient``).
    ///   - dialer: connections into a pod's network namespace.
    ///   - timeouts: stream-creation and idle limits; kubelet's by default.
    ///   - logger: sessions log failures here.
    public init(
        resolver: any StreamTargetResolver, containers: any ContainerStreaming,
        dialer: any PodPortDialer = NetworkNamespacePortDialer(), timeouts: StreamingTimeouts = .kubelet,
        logger: Logger = Logger(label: "clc-node.streaming")
    ) {
        self.resolver = resolver
        self.containers = containers
        self.dialer = dialer
        self.timeouts = timeouts
        self.logger = logger
    }

    public func prepare(_ request: StreamingRequest, transport: StreamingTransport) async -> StreamingDecision {
        do {
            return try await decide(request, transport: transport)
        } catch let error as StreamRequestError {
            return .reject(status: error.status, message: error.description)
        } catch let error as StreamTargetError {
            return .reject(status: error.status, message: error.description)
        } catch {
            return .reject(status: 500, message: "\(error)")
        }
    }

    private func decide(_ request: StreamingRequest, transport: StreamingTransport) async throws -> StreamingDecision {
        let plan = try StreamRequestPlan.parse(path: request.path, query: request.query)
        let isPortForward: Bool
        if case .portForward = plan { isPortForward = true } else { isPortForward = false }
        let version: StreamProtocolVersion
        let header: StreamingHeader?
        switch transport {
        case .webSocket:
            version = try StreamProtocolVersion.negotiate(
                offered: request.headers["sec-websocket-protocol"] ?? [],
                supported: isPortForward ? StreamProtocolVersion.webSocketPortForward : StreamProtocolVersion.webSocketRemoteCommand,
                fallback: isPortForward ? .v4Channel : .channel)
            let offered = !(request.headers["sec-websocket-protocol"] ?? []).isEmpty
            header = offered ? StreamingHeader(name: "Sec-WebSocket-Protocol", value: version.rawValue) : nil
        case .spdy:
            version = try StreamProtocolVersion.negotiate(
                offered: request.headers["x-stream-protocol-version"] ?? [],
                supported: isPortForward ? StreamProtocolVersion.spdyPortForward : StreamProtocolVersion.spdyRemoteCommand,
                fallback: isPortForward ? .portForward : .channel)
            header = StreamingHeader(name: "X-Stream-Protocol-Version", value: version.rawValue)
        }
        let headers = header.map { [$0] } ?? []

        switch plan {
        case let .exec(name, command, flags):
            let container = try await resolver.container(
                namespace: name.namespace, pod: name.pod, uid: name.uid, container: name.container)
            let session = remoteCommand(.exec(containerID: container.containerID, command: command), flags: flags, version: version)
            logger.info(
                "exec \(command) in \(name.namespace)/\(name.pod)/\(name.container) for \(request.user) over \(version.rawValue)")
            return .accept(responseHeaders: headers, session: session)
        case let .attach(name, flags):
            let container = try await resolver.container(
                namespace: name.namespace, pod: name.pod, uid: name.uid, container: name.container)
            // The engine's stream has a terminal exactly when the container has one.
            var attachFlags = flags
            attachFlags.tty = container.tty
            if container.tty { attachFlags.stderr = false }
            attachFlags.stdin = flags.stdin && container.stdin
            let session = remoteCommand(.attach(containerID: container.containerID), flags: attachFlags, version: version)
            logger.info("attach to \(name.namespace)/\(name.pod)/\(name.container) for \(request.user) over \(version.rawValue)")
            return .accept(responseHeaders: headers, session: session)
        case let .portForward(namespace, pod, uid, ports):
            if transport == .webSocket, ports.isEmpty { throw StreamRequestError.missingPorts }
            let sandbox = try await resolver.podSandbox(namespace: namespace, pod: pod, uid: uid)
            guard sandbox.pid > 0 else { throw StreamTargetError.sandboxNotRunning(namespace: namespace, pod: pod) }
            let session = PortForwardSession(
                dialer: dialer, version: version, sandbox: sandbox, podFullName: "\(pod)_\(namespace)", requestUID: uid ?? "", ports: ports,
                timeouts: timeouts, logger: logger)
            logger.info("port-forward \(ports) to \(namespace)/\(pod) for \(request.user) over \(version.rawValue)")
            return .accept(responseHeaders: headers, session: session)
        }
    }

    private func remoteCommand(_ target: RemoteCommandTarget, flags: StreamFlags, version: StreamProtocolVersion) -> RemoteCommandSession {
        let runner = RemoteCommandRunner(
            containers: containers, target: target,
            streams: ContainerStreamOptions(stdin: flags.stdin, stdout: flags.stdout, stderr: flags.stderr, tty: flags.tty),
            idleTimeout: timeouts.idle)
        return RemoteCommandSession(runner: runner, version: version, flags: flags, timeouts: timeouts, logger: logger)
    }
}
