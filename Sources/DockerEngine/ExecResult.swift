/// What a command run with `docker exec` printed and how it ended.
public struct ExecResult: Sendable, Hashable {
    /// 10 KiB: the output kept of a command (stdout and stderr together, in the order written),
    /// as kubelet's exec prober keeps (`maxReadLength = 10 * 1024`); the rest is read and dropped
    /// so that the command can finish writing.
    public static let maxOutputBytes = 10 * 1024
    public var exitCode: Int
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    public init(exitCode: Int, stdout: [UInt8] = [], stderr: [UInt8] = []) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout then stderr as text, trimmed, for events and probe messages.
    public var output: String {
        let text = String(decoding: stdout + stderr, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import Foundation

/// Splits Docker's multiplexed attach/exec stream (no TTY): each frame is one byte stream type
/// (1 stdout, 2 stderr), three zero bytes, a big-endian UInt32 length, then the payload.
public enum StreamDemultiplexer {
    /// - Parameters:
    ///   - limit: the most payload bytes kept, stdout and stderr together, first come first kept.
    /// - Returns: stdout and stderr; a truncated final frame is kept as far as it goes.
    public static func split(_ bytes: [UInt8], limit: Int = .max) -> (stdout: [UInt8], stderr: [UInt8]) {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var offset = 0
        while offset + 8 <= bytes.count, stdout.count + stderr.count < limit {
            let kind = bytes[offset]
            let length = Int(bytes[offset + 4]) << 24 | Int(bytes[offset + 5]) << 16
                | Int(bytes[offset + 6]) << 8 | Int(bytes[offset + 7])
            let start = offset + 8
            let end = min(bytes.count, start + length, start + (limit - stdout.count - stderr.count))
            if kind == 2 { stderr.append(contentsOf: bytes[start..<end]) } else { stdout.append(contentsOf: bytes[start..<end]) }
            offset = start + length
        }
        return (stdout, stderr)
    }
}
