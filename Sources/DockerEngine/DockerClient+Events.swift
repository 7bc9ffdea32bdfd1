import CurlHTTP
import Foundation

extension DockerClient {
    public func containerEvents(labels: [String]) -> AsyncThrowingStream<DockerEvent, any Error> {
        let (events, continuation) = AsyncThrowingStream.makeStream(of: DockerEvent.self)
        let task = Task {
            do {
                let prefix = try await apiPrefix()
                let query = Self.query([("filters", Self.labelFilter(labels, type: "container"))])
                let request = HTTPRequest(path: prefix + "/events" + query, timeout: nil)
                var splitter = LineSplitter()
                for try await chunk in transport.stream(request) {
                    for line in splitter.append(chunk) {
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
