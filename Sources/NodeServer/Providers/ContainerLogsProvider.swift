/// Serves `/containerLogs/{namespace}/{pod}/{container}`.
public protocol ContainerLogsProvider: Sendable {
    /// The log of one container.
    /// - Parameters:
    ///   - query: the request's query (kubelet's v1 PodLogOptions: `follow`, `tailLines`,
    ///     `sinceSeconds`, `sinceTime`, `timestamps`, `limitBytes`, `previous`), every value of
    ///     each parameter, percent-decoded.
    /// - Returns: the raw log bytes, which the server sends chunked as they come, or a refusal.
    ///   The server stops iterating the stream when the client goes: the stream's
    ///   `onTermination` then runs with `.cancelled`, where the producer stops its work.
    func logs(namespace: String, pod: String, container: String, query: [String: [String]]) async -> ContainerLogsResult
}

/// What ``ContainerLogsProvider/logs(namespace:pod:container:query:)`` answers.
public enum ContainerLogsResult: Sendable {
    /// 200: these bytes, chunked, until the stream ends (or the client goes). An error thrown by
    /// the stream ends the response early (the client sees a truncated chunked body).
    case stream(AsyncThrowingStream<[UInt8], any Error>)
    /// No log: `status` (400 bad query, 404 unknown pod or container, 422 invalid options) with
    /// `message` as a plain-text body.
    case failure(status: Int, message: String)
}
