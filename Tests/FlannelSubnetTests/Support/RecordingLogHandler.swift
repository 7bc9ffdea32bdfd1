import Logging
import Synchronization

/// Keeps every message logged through it, for tests that check what an operator reads.
struct RecordingLogHandler: LogHandler {
    final class Storage: Sendable {
        let lines = Mutex<[(Logger.Level, String)]>([])
        var messages: [(level: Logger.Level, text: String)] { lines.withLock { $0.map { ($0.0, $0.1) } } }
    }

    let storage: Storage
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        storage.lines.withLock { $0.append((event.level, "\(event.message)")) }
    }

    static func logger() -> (Logger, Storage) {
        let storage = Storage()
        return (Logger(label: "recording") { _ in RecordingLogHandler(storage: storage) }, storage)
    }
}
