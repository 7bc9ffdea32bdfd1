/// Splits a byte stream into newline-terminated lines (JSON-lines streams: Docker events,
/// Kubernetes watches). Carries a partial line across chunks.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Appends a chunk and returns the complete lines it finished, without their newline; blank
    /// lines are dropped.
    public mutating func append(_ chunk: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = chunk.startIndex
        for index in chunk.indices where chunk[index] == UInt8(ascii: "\n") {
            var line = pending
            line.append(contentsOf: chunk[start..<index])
            pending.removeAll(keepingCapacity: true)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty { lines.append(line) }
            start = index + 1
        }
        pending.append(contentsOf: chunk[start...])
        return lines
    }

    /// What remains after the stream ended without a final newline.
    public mutating func finish() -> [UInt8]? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : pending
    }
}
