import AgentTime
import CurlHTTP
import Foundation
import KubeAPI
import Logging
import Synchronization

/// The Kubernetes master's REST API as the node agent uses it, over libcurl: a QPS/burst
/// limit, a timeout on every request, and retries with jittered exponential back-off for
/// failures worth retrying (connection errors, 429, 5xx) on requests that may be repeated.
public final class MasterClient: Sendable {
    public struct Configuration: Sendable {
        public var qps: Double
        public var burst: Int
        public var requestTimeout: Duration
        public var retries: Int
        /// A watch that delivers nothing for this long is considered broken.
        public var watchIdleTimeout: Duration
        /// The longest answer read (a list of a large cluster's services or endpoints may need
        /// more than the default 64 MiB); a longer one fails the request with
        /// `HTTPError.bodyTooLarge` naming it.
        public var maxResponseBytes: Int
        /// The longest watch event line (one object; the API server keeps objects below
        /// 1.5 MiB); a longer one ends that watch with `LineSplitter.LineTooLong` and the
        /// reflector watches again. Default 16 MiB.
        public var maxWatchLineBytes: Int

        public init(
            qps: Double = 50, burst: Int = 100, requestTimeout: Duration = .seconds(10), retries: Int = 3, watchIdleTimeout: Duration = .seconds(90),
            maxResponseBytes: Int = BodyLimit.defaultBytes, maxWatchLineBytes: Int = LineSplitter.watchMaxLineBytes
        ) {
            self.qps = qps
            self.burst = burst
            self.requestTimeout = requestTimeout
            self.retries = retries
            self.watchIdleTimeout = watchIdleTimeout
            self.maxResponseBytes = maxResponseBytes
            self.maxWatchLineBytes = maxWatchLineBytes
        }
    }

    public let endpoint: HTTPEndpoint
    public let configuration: Configuration
    let transport: any HTTPTransport
    private let limiter: RateLimiter
    let logger: Logger
    /// Whether the last request that ended failed for want of the master (retryable).
    private let failing = Atomic<Bool>(false)
    /// True from a request failing with a retryable error until one succeeds: as far as the
    /// agent knows, the master is unreachable (reported in systemd's STATUS=).
    public var isFailing: Bool { failing.load(ordering: .relaxed) }
    private let recoveryCount = Atomic<Int>(0)

    /// How many times a request succeeded right after requests had failed for want of the
    /// master (connection errors, 429, 5xx): each is a sign that the master is reachable again,
    /// on which waits for it (a reflector's back-off) may end early.
    public var recoveries: Int { recoveryCount.load(ordering: .relaxed) }

    public init(endpoint: HTTPEndpoint, configuration: Configuration = .init(), logger: Logger, transport: (any HTTPTransport)? = nil) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.transport = transport ?? CurlTransport(endpoint: endpoint, maxConcurrentRequests: 8)
        self.limiter = RateLimiter(qps: configuration.qps, burst: configuration.burst)
        self.logger = logger
    }

    /// A client for `--master URL` or `--kubeconfig FILE`.
    public convenience init(kubeconfig: Kubeconfig, configuration: Configuration = .init(), logger: Logger) {
        self.init(
            endpoint: HTTPEndpoint(
                baseURL: kubeconfig.server, caFile: kubeconfig.certificateAuthority,
                clientCertificateFile: kubeconfig.clientCertificate, clientKeyFile: kubeconfig.clientKey,
                bearerToken: kubeconfig.token, bearerTokenFile: kubeconfig.tokenFile,
                insecureSkipTLSVerify: kubeconfig.insecureSkipTLSVerify),
            configuration: configuration, logger: logger)
    }

    // MARK: Requests

    /// Sends a request and returns the response when its status is 2xx.
    /// - Parameter idempotent: whether a failed attempt may be repeated.
    /// - Throws: ``MasterError``.
    @discardableResult
    public func request(
        _ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json", idempotent: Bool? = nil
    ) async throws(MasterError) -> HTTPResponse {
        let label = "\(method) \(path.split(separator: "?").first ?? "")"
        let mayRetry = idempotent ?? (method == "GET" || method == "PUT" || method == "DELETE" || method == "PATCH")
        var attempt = 0
        var backOff = RetryBackOff(initial: .milliseconds(200), maximum: .seconds(5), jitter: 1.0...1.5)
        while true {
            attempt += 1
            await limiter.acquire()
            var headers = [HTTPHeader("Accept", "application/json"), HTTPHeader("User-Agent", "clc-node")]
            if body != nil { headers.append(HTTPHeader("Content-Type", contentType)) }
            var request = HTTPRequest(method: method, path: path, headers: headers, body: body, timeout: configuration.requestTimeout)
            request.bodyLimit = BodyLimit(bytes: configuration.maxResponseBytes)
            let failure: MasterError
            do {
                let response = try await transport.send(request)
                if response.isSuccess {
                    if failing.exchange(false, ordering: .relaxed) { recoveryCount.add(1, ordering: .relaxed) }
                    return response
                }
                failure = Self.statusError(label, response)
            } catch let error as HTTPError {
                if case .cancelled = error { throw .transport(request: label, error) }
                failure = Self.transportError(label, error, endpoint: endpoint)
            } catch {
                failure = .transport(request: label, .transport(request: label, code: -1, message: "\(error)"))
            }
            if failure.isRetryable { failing.store(true, ordering: .relaxed) }
            guard mayRetry, failure.isRetryable, attempt <= configuration.retries, !Task.isCancelled else { throw failure }
            logger.debug("master request failed, retrying", metadata: ["request": "\(label)", "error": "\(failure)", "attempt": "\(attempt)"])
            try? await Task.sleep(for: backOff.next())
        }
    }

    /// GET and decode.
    public func get<T: Decodable>(_ type: T.Type, _ path: String) async throws(MasterError) -> T {
        try decode(type, try await request("GET", path), label: "GET \(path)")
    }

    /// Sends `value` as JSON and decodes the answer.
    public func send<T: Encodable, R: Decodable>(
        _ method: String, _ path: String, _ value: T, as type: R.Type, contentType: String = "application/json"
    ) async throws(MasterError) -> R {
        let body = try encode(value, label: "\(method) \(path)")
        return try decode(type, try await request(method, path, body: body, contentType: contentType), label: "\(method) \(path)")
    }

    /// A watch stream's bytes; `path` carries `watch=true` and the resourceVersion.
    func watchStream(_ path: String) -> AsyncThrowingStream<[UInt8], any Error> {
        transport.stream(
            HTTPRequest(
                path: path, headers: [HTTPHeader("Accept", "application/json"), HTTPHeader("User-Agent", "clc-node")],
                timeout: nil, idleTimeout: configuration.watchIdleTimeout))
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, label: String) throws(MasterError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw .decoding(request: label, message: "\(error)")
        }
    }

    func encode<T: Encodable>(_ value: T, label: String) throws(MasterError) -> [UInt8] {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Array(try encoder.encode(value))
        } catch {
            throw .decoding(request: label, message: "cannot encode: \(error)")
        }
    }

    static func statusError(_ label: String, _ response: HTTPResponse) -> MasterError {
        if response.status == 401 {
            let status = try? JSONDecoder().decode(Status.self, from: Data(response.body))
            return .unauthorized(request: label, message: status?.message ?? String(response.text.prefix(512)))
        }
        if let status = try? JSONDecoder().decode(Status.self, from: Data(response.body)) {
            return .status(request: label, code: response.status, reason: status.reason ?? "", message: status.message ?? response.text)
        }
        return .status(request: label, code: response.status, reason: "", message: String(response.text.prefix(512)))
    }

    static func query(_ items: [(String, String)]) -> String { QueryString.encode(items) }
}
