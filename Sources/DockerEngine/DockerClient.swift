import CurlHTTP
import Foundation
import Synchronization

/// ``DockerEngine`` over the engine's REST API, usually on its unix socket.
///
/// The API version is negotiated once from `GET /version` (the engine's own version, capped at
/// the newest this client knows), because newer engines refuse requests for versions they have
/// dropped.
public final class DockerClient: DockerEngine {
    /// The newest API version this client was written against (docker.io 20.10).
    public static let preferredAPIVersion = "1.41"

    let transport: any HTTPTransport
    /// For calls that hold a connection for seconds (stop with a grace period, exec), so that
    /// deleting many pods at once cannot starve every other request of threads.
    let slowTransport: any HTTPTransport
    private let negotiated = Mutex<String?>(nil)

    /// - Parameters:
    ///   - transport: the HTTP transport to the engine, e.g.
    ///     `CurlTransport(endpoint: .unixSocket("/var/run/docker.sock"))`.
    ///   - slowTransport: the transport for long calls; the same one when nil.
    public init(transport: any HTTPTransport, slowTransport: (any HTTPTransport)? = nil) {
        self.transport = transport
        self.slowTransport = slowTransport ?? transport
    }

    /// A client for the engine listening on `socketPath`.
    public convenience init(socketPath: String, maxConcurrentRequests: Int = 16, maxConcurrentSlowRequests: Int = 64) {
        self.init(
            transport: CurlTransport(endpoint: .unixSocket(socketPath), maxConcurrentRequests: maxConcurrentRequests),
            slowTransport: CurlTransport(endpoint: .unixSocket(socketPath), maxConcurrentRequests: maxConcurrentSlowRequests))
    }

    public func version() async throws(DockerError) -> DockerVersion {
        let response = try await send("version", HTTPRequest(path: "/version"))
        let version = try decode(DockerVersion.self, from: response, operation: "version")
        let chosen = Self.older(of: version.apiVersion, and: Self.preferredAPIVersion)
        negotiated.withLock { $0 = chosen }
        return version
    }

    /// The API version requests use: negotiated on first use.
    func apiPrefix() async throws(DockerError) -> String {
        if let version = negotiated.withLock({ $0 }) { return "/v\(version)" }
        _ = try await version()
        return "/v\(negotiated.withLock { $0 } ?? Self.preferredAPIVersion)"
    }

    static func older(of a: String, and b: String) -> String {
        let parse = { (v: String) in v.split(separator: ".").map { Int($0) ?? 0 } }
        return parse(a).lexicographicallyPrecedes(parse(b)) ? a : b
    }

    // MARK: Plumbing shared by the endpoint files

    func send(_ operation: String, _ request: HTTPRequest, slow: Bool = false) async throws(DockerError) -> HTTPResponse {
        do {
            return try await (slow ? slowTransport : transport).send(request)
        } catch let error as HTTPError {
            throw .transport(operation: operation, error)
        } catch {
            throw .transport(operation: operation, .transport(request: operation, code: -1, message: "\(error)"))
        }
    }

    /// Sends a versioned request and fails unless the status is one of `accepted`.
    @discardableResult
    func call(
        _ operation: String, _ method: String, _ path: String, body: [UInt8]? = nil,
        accepted: Set<Int> = [200, 201, 204], timeout: Duration? = .seconds(60), slow: Bool = false
    ) async throws(DockerError) -> HTTPResponse {
        let prefix = try await apiPrefix()
        var request = HTTPRequest(method: method, path: prefix + path, body: body, timeout: timeout)
        if body != nil { request.headers.append(HTTPHeader("Content-Type", "application/json")) }
        let response = try await send(operation, request, slow: slow)
        guard accepted.contains(response.status) else {
            throw .http(operation: operation, status: response.status, message: Self.message(in: response.body))
        }
        return response
    }

    func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse, operation: String) throws(DockerError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw .decoding(operation: operation, message: "\(error)")
        }
    }

    func encode<T: Encodable>(_ value: T, operation: String) throws(DockerError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw .decoding(operation: operation, message: "cannot encode request: \(error)")
        }
    }

    /// The engine's error text: `{"message": "..."}`, or the body itself.
    static func message(in body: [UInt8]) -> String {
        struct Message: Decodable { var message: String }
        if let decoded = try? JSONDecoder().decode(Message.self, from: Data(body)) { return decoded.message }
        return String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func query(_ items: [(String, String)]) -> String { QueryString.encode(items) }

    static func labelFilter(_ labels: [String], type: String? = nil) -> String {
        var filters: [String: [String]] = ["label": labels]
        if let type { filters["type"] = [type] }
        let data = (try? JSONEncoder().encode(filters)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
