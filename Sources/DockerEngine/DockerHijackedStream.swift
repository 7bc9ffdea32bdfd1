import CurlHTTP
import Synchronization

/// A hijacked exec or attach connection to the engine: after the upgrade answer the socket
/// carries stdin one way and the process's output the other, as raw bytes with a terminal and
/// as multiplexed frames (``StreamFrameDecoder``) without one.
final class DockerHijackedStream: ContainerStream {
    private let connection: RawConnection
    private let tty: Bool
    /// Output bytes not yet returned (the leftover after the response head, partial frames).
    private let pending: Mutex<StreamFrameDecoder>

    /// - Parameter leftover: output bytes that arrived with the response head.
    init(connection: RawConnection, tty: Bool, leftover: [UInt8]) {
        self.connection = connection
        self.tty = tty
        self.pending = Mutex(StreamFrameDecoder(buffered: leftover))
    }

    deinit {
        connection.close()
    }

    func writeStdin(_ bytes: [UInt8]) async throws {
        try await connection.send(bytes)
    }

    func closeStdin() {
        connection.closeWrite()
    }

    func readOutput() async throws -> ContainerOutput? {
        let tty = self.tty
        while true {
            if let output = pending.withLock({ tty ? $0.takeRaw().map(ContainerOutput.stdout) : $0.nextFrame() }) {
                return output
            }
            guard let chunk = try await connection.receive() else { return nil }
            pending.withLock { $0.append(chunk) }
        }
    }

    func close() {
        connection.close()
    }
}

/// Decodes the engine's multiplexed stream incrementally: each frame is one byte stream type
/// (0 stdin, 1 stdout, 2 stderr), three zero bytes, a big-endian UInt32 length, the payload.
struct StreamFrameDecoder: Sendable {
    private var buffer: [UInt8]

    init(buffered: [UInt8] = []) {
        buffer = buffered
    }

    mutating func append(_ bytes: [UInt8]) {
        buffer += bytes
    }

    /// Everything buffered, for a terminal's raw stream; nil when empty.
    mutating func takeRaw() -> [UInt8]? {
        guard !buffer.isEmpty else { return nil }
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
    }

    /// The next whole frame's payload; nil until one is complete. Empty frames are skipped.
    mutating func nextFrame() -> ContainerOutput? {
        while buffer.count >= 8 {
            let length = Int(buffer[4]) << 24 | Int(buffer[5]) << 16 | Int(buffer[6]) << 8 | Int(buffer[7])
            guard buffer.count >= 8 + length else { return nil }
            let kind = buffer[0]
            let payload = Array(buffer[8..<(8 + length)])
            buffer.removeFirst(8 + length)
            if payload.isEmpty { continue }
            return kind == 2 ? .stderr(payload) : .stdout(payload)
        }
        return nil
    }
}
