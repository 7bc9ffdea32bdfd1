/// Splits a byte stream into newline-terminated lines (JSON-lines streams: Docker events,
/// Kubernetes watches, etcd watches). Carries a partial line across chunks, up to
/// ``maxLineBytes``: a peer that sends a longer line (a broken or hostile server, or a stream
/// that is not line-based) ends the stream with ``LineTooLong`` instead of growing the agent's
/// memory without bound.
public struct LineSplitter: Sendable {
    /// A line longer than the splitter's limit: names the stream and the limit.
    public struct LineTooLong: Error, Sendable, Hashable, CustomStringConvertible {
        public var stream: String
        public var limit: Int

        public init(stream: String, limit: Int) {
            self.stream = stream
            self.limit = limit
        }

        public var description: String { "\(stream): a line longer than the limit of \(limit) bytes" }
    }

    /// 16 MiB: a Kubernetes watch event carries one object, and the API server stores objects of
    /// at most 1.5 MiB (etcd's request limit); their JSON in a watch event stays well below this.
    public static let watchMaxLineBytes = 16 << 20
    /// 1 MiB: a Docker event or an etcd watch response is a few hundred bytes to a few KiB.
    public static let eventMaxLineBytes = 1 << 20

    /// The longest line accepted, without its newline.
    public let maxLineBytes: Int
    /// The stream's name for ``LineTooLong``, e.g. `GET http://master/api/v1/pods?watch=true`.
    public let stream: String
    private var pending: [UInt8] = []

    public init(maxLineBytes: Int = LineSplitter.watchMaxLineBytes, stream: String = "stream") {
        self.maxLineBytes = maxLineBytes
        self.stream = stream
    }

    /// Appends a chunk and returns the complete lines it finished, without their newline; blank
    /// lines are dropped.
    /// - Throws: ``LineTooLong`` as soon as a line (complete or not) is longer than
    ///   ``maxLineBytes``; the splitter is then empty.
    public mutating func append(_ chunk: [UInt8]) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = chunk.startIndex
        for index in chunk.indices where chunk[index] == UInt8(ascii: "\n") {
            var line = pending
            line.append(contentsOf: chunk[start..<index])
            pending.removeAll(keepingCapacity: true)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            try check(line.count)
            if !line.isEmpty { lines.append(line) }
            start = index + 1
        }
        // A trailing "\r" may still be followed by "\n": allow it one byte.
        try check(pending.count + (chunk.endIndex - start) - (chunk.last == UInt8(ascii: "\r") ? 1 : 0))
        pending.append(contentsOf: chunk[start...])
        return lines
    }

    /// What remains after the stream ended without a final newline.
    public mutating func finish() -> [UInt8]? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : pending
    }

    private mutating func check(_ length: Int) throws(LineTooLong) {
        guard length > maxLineBytes else { return }
        pending = []
        throw LineTooLong(stream: stream, limit: maxLineBytes)
    }
}
