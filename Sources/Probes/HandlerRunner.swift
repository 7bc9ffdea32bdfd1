import NIOCore

/// Runs a resolved handler against a container: HTTP and TCP from the node to the pod IP,
/// exec inside the container. A run stays on the caller's executor (the probe loop, for the
/// probe manager) apart from what it waits for.
public protocol HandlerRunner: Sendable {
    nonisolated(nonsending) func run(_ handler: Handler, podIP: String?, containerID: String, timeout: Duration) async -> ProbeOutcome
}

/// Runs a command in a container within a timeout (the container engine's exec).
public protocol ContainerExecutor: Sendable {
    /// - Returns: the exit code and output; throws when the command could not run or timed out.
    func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String)
}

/// The real runner: HTTP and TCP on an event loop (by default the probe loop; HTTPS without
/// certificate checks, as kubelet), exec through the container engine.
public struct NetworkHandlerRunner: HandlerRunner {
    /// 10 KiB: the most of an HTTP probe's body read (the rest is not read; a long body does
    /// not fail the probe) and of an exec probe's output kept, as kubelet's prober
    /// (`maxRespBodyLength`, `maxReadLength`).
    public static let maxReadBytes = 10 * 1024

    private let network: NetworkProbe
    private let executor: any ContainerExecutor

    public init(executor: any ContainerExecutor, eventLoop: any EventLoop = ProbeLoop.shared) {
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
            let status = network.httpStatus(
                tls: scheme.lowercased() == "https", host: target, port: port, path: path,
                headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, timeout: timeout)
            switch await Self.outcome(of: status) {
            case let .success(code):
                return (200..<400).contains(code)
                    ? .success("HTTP probe succeeded with statuscode: \(code)")
                    : .failure("HTTP probe failed with statuscode: \(code)")
            case let .failure(error):
                return .failure("Get \"\(scheme)://\(NetworkProbe.target(host: target, port: port))\(path)\": \(error)")
            }
        case let .tcpSocket(host, port):
            guard let target = host ?? podIP, !target.isEmpty else { return .failure("no pod IP to probe") }
            switch await Self.outcome(of: network.tcpConnect(host: target, port: port, timeout: timeout)) {
            case .success: return .success("")
            case let .failure(error):
                // A failure to connect already names the target, as Go's "dial tcp" errors do.
                if let failure = error as? NetworkProbe.Failure, case .dial = failure { return .failure("\(failure)") }
                return .failure("dial tcp \(NetworkProbe.target(host: target, port: port)): \(error)")
            }
        }
    }

    /// Waits for a future on the caller's executor: the loop completes it and resumes the caller
    /// (on the loop itself when the caller runs there, with no thread switch).
    private nonisolated(nonsending) static func outcome<Value: Sendable>(of future: EventLoopFuture<Value>) async -> Result<Value, any Error> {
        await withCheckedContinuation { continuation in
            future.whenComplete { continuation.resume(returning: $0) }
        }
    }
}
