import Logging
import Synchronization
import Testing

@testable import NodeServer

/// Keeps every message logged through it.
final class RecordingLogHandler: LogHandler, Sendable {
    let entries = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        entries.withLock { $0.append(("\(event.message)", event.metadata ?? [:])) }
    }
}

@Suite("Refused requests in the log")
struct RefusalLogTests {
    @Test("each client address and user is logged once per status, with the reason")
    func oncePerClient() {
        let handler = RecordingLogHandler()
        let log = RefusalLog(logger: Logger(label: "test") { _ in handler })

        #expect(log.record(client: "10.0.0.1", user: "", status: 401, path: "/pods", reason: "no credentials"))
        #expect(!log.record(client: "10.0.0.1", user: "", status: 401, path: "/metrics", reason: "no credentials"))
        #expect(log.record(client: "10.0.0.2", user: "", status: 401, path: "/pods", reason: "no credentials"))
        #expect(log.record(client: "10.0.0.1", user: "bob", status: 403, path: "/pods", reason: "no RBAC policy matched"))

        let entries = handler.entries.withLock { $0 }
        #expect(entries.count == 3)
        #expect(entries.last?.metadata["reason"] == "no RBAC policy matched")
        #expect(entries.last?.metadata["user"] == "bob")
        #expect(entries.first?.metadata["client.address"] == "10.0.0.1")
    }
}
