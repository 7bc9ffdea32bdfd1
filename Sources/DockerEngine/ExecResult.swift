/// What a command run with `docker exec` printed and how it ended.
public struct ExecResult: Sendable, Hashable {
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
    /// - Returns: stdout and stderr; a truncated final frame is kept as far as it goes.
    public static func split(_ bytes: [UInt8]) -> (stdout: [UInt8], stderr: [UInt8]) {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let kind = bytes[offset]
            let length = Int(bytes[offset + 4]) << 24 | Int(bytes[offset + 5]) << 16
                | Int(bytes[offset + 6]) << 8 | Int(bytes[offset + 7])
            let start = offset + 8
            let end = min(bytes.count, start + length)
            if kind == 2 { stderr.append(contentsOf: bytes[start..<end]) } else { stdout.append(contentsOf: bytes[start..<end]) }
            offset = start + length
        }
        return (stdout, stderr)
    }
}
