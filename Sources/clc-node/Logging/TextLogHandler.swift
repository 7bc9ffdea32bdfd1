import Foundation
import Logging

/// One line per entry on stderr: time, level, message, then metadata as `key=value`.
/// With `priorityPrefix`, each line starts with `<N>` so that a journal reading plain stderr
/// still files it at the right priority.
struct TextLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String
    let priorityPrefix: Bool

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = priorityPrefix ? "<\(JournaldLogHandler.priority(event.level))>" : ""
        line += "\(Self.timestamp()) \(event.level.rawValue.uppercased()) \(event.message)"
        for key in merged.keys.sorted() { line += " \(key)=\(Self.quote("\(merged[key]!)"))" }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func quote(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || value.isEmpty
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : value
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var time = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &time)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", time.tm_year + 1900, time.tm_mon + 1, time.tm_mday,
            time.tm_hour, time.tm_min, time.tm_sec, now.tv_nsec / 1_000_000)
    }
}
