import Foundation

/// ``HTTPTransport`` through libcurl: plain requests on a bounded worker pool, streams on a
/// thread each (they live for minutes or hours).
public final class CurlTransport: HTTPTransport {
    public let endpoint: HTTPEndpoint
    private let pool: CurlWorkerPool

    /// - Parameters:
    ///   - endpoint: the peer.
    ///   - maxConcurrentRequests: requests in flight at once; more wait in a queue.
    public init(endpoint: HTTPEndpoint, maxConcurrentRequests: Int = 16) {
        self.endpoint = endpoint
        self.pool = CurlWorkerPool(maxThreads: maxConcurrentRequests, name: "curl \(endpoint)")
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await send(request, to: endpoint)
    }

    /// Sends a request to another endpoint than the transport's own, on the same threads (and
    /// their connection caches).
    public func send(_ request: HTTPRequest, to endpoint: HTTPEndpoint) async throws -> HTTPResponse {
        let cancel = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                pool.submit { easy in
                    let transfer = Transfer(cancel: cancel, limit: request.bodyLimit)
                    do {
                        try easy.perform(request, on: endpoint, into: transfer)
                        continuation.resume(
                            returning: HTTPResponse(status: transfer.status, headers: transfer.headers, body: transfer.body))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            cancel.set()
        }
    }

    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<[UInt8], any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let cancel = CancelFlag()
        continuation.onTermination = { _ in cancel.set() }
        let endpoint = self.endpoint
        let label = "\(request.method) \(endpoint)\(request.path)"
        let thread = Thread {
            let easy = CurlEasy()
            var errorBody: [UInt8] = []
            let transfer = Transfer(cancel: cancel) { chunk, status in
                if (200..<300).contains(status) {
                    continuation.yield(chunk)
                } else {
                    errorBody.append(contentsOf: chunk.prefix(max(0, 65_536 - errorBody.count)))
                }
            }
            do {
                try easy.perform(request, on: endpoint, into: transfer)
                if (200..<300).contains(transfer.status) {
                    continuation.finish()
                } else {
                    continuation.finish(
                        throwing: HTTPError.status(
                            request: label, code: transfer.status, body: String(decoding: errorBody, as: UTF8.self)))
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = "curl stream"
        thread.start()
        return stream
    }
}
