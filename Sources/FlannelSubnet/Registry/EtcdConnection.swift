import CurlHTTP
import Synchronization

/// The HTTP side of both registries: one transport per endpoint, tried in turn from the one that
/// last answered, so a dead member costs one failed connect and not one per request.
final class EtcdConnection: Sendable {
    let configuration: EtcdConfiguration
    private let transports: [any HTTPTransport]
    private let names: [String]
    private let preferred = Mutex(0)

    /// - Parameter transports: one per endpoint, in the order of `configuration.endpoints`;
    ///   nil makes libcurl transports with the configuration's TLS files.
    init(configuration: EtcdConfiguration, transports: [any HTTPTransport]? = nil) {
        self.configuration = configuration
        self.names = configuration.endpoints
        self.transports = transports ?? configuration.endpoints.map { url in
            CurlTransport(
                endpoint: HTTPEndpoint(
                    baseURL: url, caFile: configuration.caFile, clientCertificateFile: configuration.certFile,
                    clientKeyFile: configuration.keyFile),
                maxConcurrentRequests: 4)
        }
    }

    /// Sends to the preferred endpoint, then to the others when it cannot be reached; any HTTP
    /// answer, whatever its status, ends the search.
    func send(_ request: HTTPRequest, operation: String) async throws(RegistryError) -> HTTPResponse {
        guard !transports.isEmpty else { throw .unreachable(operation: operation, errors: ["no endpoints configured"]) }
        let start = preferred.withLock { $0 }
        var errors: [String] = []
        for step in 0..<transports.count {
            let index = (start + step) % transports.count
            do {
                let response = try await transports[index].send(request)
                if step > 0 { preferred.withLock { $0 = index } }
                return response
            } catch let error as HTTPError {
                if case .cancelled = error { throw .unreachable(operation: operation, errors: ["cancelled"]) }
                errors.append("\(names[index]): \(error)")
            } catch {
                errors.append("\(names[index]): \(error)")
            }
        }
        throw .unreachable(operation: operation, errors: errors)
    }

    /// A streamed request to the preferred endpoint; a failure moves the preference on, so the
    /// caller's next attempt tries the next endpoint.
    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<[UInt8], any Error> {
        guard !transports.isEmpty else {
            return AsyncThrowingStream { $0.finish(throwing: RegistryError.unreachable(operation: request.path, errors: ["no endpoints configured"])) }
        }
        let index = preferred.withLock { $0 }
        let upstream = transports[index].stream(request)
        let count = transports.count
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await chunk in upstream { continuation.yield(chunk) }
                    continuation.finish()
                } catch {
                    if case HTTPError.transport = error { self.preferred.withLock { $0 = (index + 1) % count } }
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
