import NIOCore
import NIOPosix

/// Runs a resolved handler against a container: HTTP and TCP from the node to the pod IP,
/// exec inside the container. A run stays on the caller's executor (the probe reactor, for the
/// probe manager) apart from what it waits for.
public protocol HandlerRunner: Sendable {
    nonisolated(nonsending) func run(_ handler: Handler, podIP: String?, containerID: String, timeout: Duration) async -> ProbeOutcome
}

/// Runs a command in a container within a timeout (the container engine's exec).
public protocol ContainerExecutor: Sendable {
    /// - Returns: the exit code and output; throws when the command could not run or timed out.
    func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String)
}

/// The real runner: HTTP and TCP to an address over sockets the probe reactor polls, HTTPS
/// (without certificate checks, as kubelet) and host names through swift-nio, exec through the
/// container engine.
public struct NetworkHandlerRunner: HandlerRunner {
    /// 10 KiB: the most of an HTTP probe's body read (the rest is not read; a long body does
    /// not fail the probe) and of an exec probe's output kept, as kubelet's prober
    /// (`maxRespBodyLength`, `maxReadLength`).
    public static let maxReadBytes = 10 * 1024

    private let sockets: SocketProbe
    private let network: NetworkProbe
    private let executor: any ContainerExecutor

    public init(
        executor: any ContainerExecutor, reactor: ProbeReactor = .shared,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) {
        self.sockets = SocketProbe(reactor: reactor, maxBodyBytes: Self.maxReadBytes)
        self.network = NetworkProbe(eventLoop: eventLoop, maxBodyBytes: Self.maxReadBytes)
        self.executor = executor
    }

    public nonisolated(nonsending) func run(_ handler: Handler, podIP: String?, containerID: String, timeout: Duration) async -> ProbeOutcome {
        switch handler {
        case let .exec(command):
            do {
                var result = try await executor.exec(containerID: containerID, command: command, timeout: timeout)
                if result.output.utf8.count > Self.maxReadBytes {
                    result.output = String(decoding: result.output.utf8.prefix(Self.maxReadBytes), as: UTF8.self)
                }
                return result.exitCode == 0
                    ? .success(result.output)
                    : .failure("command \(command) exited with \(result.exitCode): \(result.output)")
            } catch {
                return .failure("\(error)")
            }
        case let .httpGet(scheme, host, port, path, headers):
            guard let target = host ?? podIP, !target.isEmpty else { return .failure("no pod IP to probe") }
            let tls = scheme.lowercased() == "https"
            let given = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            let status: Result<Int, any Error>
            if !tls, let address = SocketProbe.Address(host: target, port: port) {
                let request = NetworkProbe.request(path: path, headers: NetworkProbe.requestHeaders(tls: false, host: target, port: port, given: given))
                do { status = .success(try await sockets.httpStatus(address, request: request, timeout: timeout)) } catch { status = .failure(error) }
            } else {
                status = await Self.outcome(of: network.httpStatus(tls: tls, host: target, port: port, path: path, headers: given, timeout: timeout))
            }
            switch status {
            case let .success(code):
                return (200..<400).contains(code)
                    ? .success("HTTP probe succeeded with statuscode: \(code)")
                    : .failure("HTTP probe failed with statuscode: \(code)")
            case let .failure(error):
                return .failure("Get \"\(scheme)://\(NetworkProbe.target(host: target, port: port))\(path)\": \(error)")
            }
        case let .tcpSocket(host, port):
            guard let target = host ?? podIP, !target.isEmpty else { return .failure("no pod IP to probe") }
            let connected: Result<Void, any Error>
            if let address = SocketProbe.Address(host: target, port: port) {
                do { connected = .success(try await sockets.tcpConnect(address, timeout: timeout)) } catch { connected = .failure(error) }
            } else {
                connected = await Self.outcome(of: network.tcpConnect(host: target, port: port, timeout: timeout))
            }
            switch connected {
            case .success: return .success("")
            case let .failure(error):
                // A failure to connect already names the target, as Go's "dial tcp" errors do.
                if let failure = error as? NetworkProbe.Failure, case .dial = failure { return .failure("\(failure)") }
                return .failure("dial tcp \(NetworkProbe.target(host: target, port: port)): \(error)")
            }
        }
    }

    /// Waits for a future of swift-nio's loop (HTTPS, host names) on the caller's executor: the
    /// loop completes it and resumes the caller there (the probe reactor, for the probe manager).
    private nonisolated(nonsending) static func outcome<Value: Sendable>(of future: EventLoopFuture<Value>) async -> Result<Value, any Error> {
        await withCheckedContinuation { continuation in
            future.whenComplete { continuation.resume(returning: $0) }
        }
    }
}
