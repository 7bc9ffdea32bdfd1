import CurlHTTP
import Foundation

/// Runs a resolved handler against a container: HTTP and TCP from the node to the pod IP,
/// exec inside the container.
public protocol HandlerRunner: Sendable {
    func run(_ handler: Handler, podIP: String?, containerID: String, timeout: Duration) async -> ProbeOutcome
}

/// Runs a command in a container within a timeout (the container engine's exec).
public protocol ContainerExecutor: Sendable {
    /// - Returns: the exit code and output; throws when the command could not run or timed out.
    func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String)
}

/// The real runner: HTTP and TCP through libcurl on a bounded thread pool (HTTPS without
/// certificate checks, as kubelet), exec through the container engine.
public struct NetworkHandlerRunner: HandlerRunner {
    /// 10 KiB: the most of an HTTP probe's body read (the rest is not read; a long body does
    /// not fail the probe) and of an exec probe's output kept, as kubelet's prober
    /// (`maxRespBodyLength`, `maxReadLength`).
    public static let maxReadBytes = 10 * 1024

    private let transport: CurlTransport
    private let executor: any ContainerExecutor

    public init(executor: any ContainerExecutor, maxConcurrentProbes: Int = 16) {
        self.transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: "http://localhost"), maxConcurrentRequests: maxConcurrentProbes)
        self.executor = executor
    }

    public func run(_ handler: Handler, podIP: String?, containerID: String, timeout: Duration) async -> ProbeOutcome {
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
            let base = "\(scheme)://\(Self.bracket(target)):\(port)"
            var request = HTTPRequest(path: path, timeout: timeout)
            request.bodyLimit = BodyLimit(bytes: Self.maxReadBytes, overflow: .truncate)
            request.readsHeaders = false
            request.headers = headers.map { CurlHTTP.HTTPHeader($0.key, $0.value) }
            if headers.keys.contains(where: { $0.lowercased() == "user-agent" }) == false {
                request.headers.append(CurlHTTP.HTTPHeader("User-Agent", "kube-probe/clc-node"))
            }
            do {
                let response = try await transport.send(request, to: HTTPEndpoint(baseURL: base, insecureSkipTLSVerify: true))
                return (200..<400).contains(response.status)
                    ? .success("HTTP probe succeeded with statuscode: \(response.status)")
                    : .failure("HTTP probe failed with statuscode: \(response.status)")
            } catch {
                return .failure("Get \"\(base)\(path)\": \(error)")
            }
        case let .tcpSocket(host, port):
            guard let target = host ?? podIP, !target.isEmpty else { return .failure("no pod IP to probe") }
            var request = HTTPRequest(path: "", timeout: timeout)
            request.connectOnly = true
            do {
                _ = try await transport.send(request, to: HTTPEndpoint(baseURL: "http://\(Self.bracket(target)):\(port)"))
                return .success("")
            } catch {
                return .failure("dial tcp \(target):\(port): \(error)")
            }
        }
    }

    private static func bracket(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}
