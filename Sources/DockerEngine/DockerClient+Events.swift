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
                    for event in try Self.events(in: chunk, splitter: &splitter) {
                        continuation.yield(event)
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

    /// The events a chunk of the stream completes: its lines are split by `splitter` (which
    /// carries a partial line to the next chunk) and a line that is not an event is skipped.
    /// Pure, so that tests and the fuzz target (Tests/Fuzz) feed it any bytes.
    /// - Throws: ``LineSplitter/LineTooLong`` for a line longer than the splitter's limit.
    static func events(in chunk: [UInt8], splitter: inout LineSplitter) throws(LineSplitter.LineTooLong) -> [DockerEvent] {
        try splitter.append(chunk).compactMap { line in try? JSONDecoder().decode(DockerEvent.self, from: Data(line)) }
    }
}
