import Logging
import Synchronization

/// Keeps every message logged through it, for tests that check what was logged and how often.
struct RecordingLogHandler: LogHandler {
    final class Store: Sendable {
        let messages = Mutex<[String]>([])
        var all: [String] { messages.withLock { $0 } }
    }

    let store: Store
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        store.messages.withLock { $0.append(([event.message.description] + fields).joined(separator: " ")) }
    }

    /// A logger writing to a fresh store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test", factory: { _ in RecordingLogHandler(store: store) }), store)
    }
}
