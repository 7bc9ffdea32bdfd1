/// Splits Docker's multiplexed log, attach and exec stream as it arrives, in pieces of any size.
///
/// Each frame is one byte of stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, a
/// big-endian UInt32 length, then the payload. A container with a TTY has no frames at all: its
/// stream is raw, so the caller decides which of the two it reads.
public struct LogStreamDemultiplexer: Sendable {
    /// Which stream a piece of output came from.
    public enum Stream: UInt8, Sendable {
        case stdin = 0, stdout = 1, stderr = 2
    }

    private var pending: [UInt8] = []

    public init() {}

    /// Feeds the next bytes received.
    /// - Returns: the payloads of every frame completed by these bytes, in order; a frame split
    ///   across calls comes out whole when its last byte arrives.
    public mutating func append(_ bytes: [UInt8]) -> [(stream: Stream, payload: [UInt8])] {
        pending.append(contentsOf: bytes)
        var frames: [(stream: Stream, payload: [UInt8])] = []
        var offset = 0
        while pending.count - offset >= 8 {
            let length = Int(pending[offset + 4]) << 24 | Int(pending[offset + 5]) << 16
                | Int(pending[offset + 6]) << 8 | Int(pending[offset + 7])
            guard pending.count - offset - 8 >= length else { break }
            let stream = Stream(rawValue: pending[offset]) ?? .stdout
            frames.append((stream, Array(pending[offset + 8..<offset + 8 + length])))
            offset += 8 + length
        }
        if offset > 0 { pending.removeFirst(offset) }
        return frames
    }

    /// Bytes of an unfinished frame, held back until the rest arrives.
    public var bufferedCount: Int { pending.count }
}
