import CurlHTTP
import Foundation

extension DockerClient {
    /// The longest Docker event line accepted (1 MiB; an event is a few hundred bytes). A longer
    /// one ends the stream with ``LineSplitter/LineTooLong`` naming it; the pod manager then
    /// reconnects.
    public static let eventMaxLineBytes = LineSplitter.eventMaxLineBytes

    /// The engine's container events for containers with all of `labels`.
    /// - Throws: through the stream: ``LineSplitter/LineTooLong`` for an event line longer than
    ///   ``eventMaxLineBytes``, or the transport's error.
    public func containerEvents(labels: [String]) -> AsyncThrowingStream<DockerEvent, any Error> {
        let (events, continuation) = AsyncThrowingStream.makeStream(of: DockerEvent.self)
        let task = Task {
            do {
                let prefix = try await apiPrefix()
                let query = Self.query([("filters", Self.labelFilter(labels, type: "container"))])
                let request = HTTPRequest(path: prefix + "/events" + query, timeout: nil)
                var splitter = LineSplitter(maxLineBytes: Self.eventMaxLineBytes, stream: "docker events")
                for try await chunk in transport.stream(request) {
                    for line in try splitter.append(chunk) {
                        if let event = try? JSONDecoder().decode(DockerEvent.self, from: Data(line)) {
                            continuation.yield(event)
                        }
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return events
    }
}
