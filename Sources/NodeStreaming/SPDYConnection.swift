import SPDY

/// Owns a ``SPDYServerSession`` for one upgraded connection: every call is serialised by the
/// actor, and the bytes each call produces go, in that order, to one writer task (SPDY's header
/// compression is a single zlib stream: frames must reach the client in the order encoded).
actor SPDYConnection {
    private let session = SPDYServerSession()
    private let output: AsyncStream<[UInt8]>.Continuation
    /// Bytes handed to the writer and not yet written, for back-pressure on senders.
    private var unwritten = 0
    private var writableWaiters: [CheckedContinuation<Void, Never>] = []
    private var writerGone = false
    private static let highWater = 256 * 1024

    /// - Parameter output: the writer task's queue.
    init(output: AsyncStream<[UInt8]>.Continuation) {
        self.output = output
    }

    /// Starts the writer: it writes each chunk with `write` until the queue ends or a write fails.
    nonisolated static func start(write: @escaping @Sendable ([UInt8]) async throws -> Void) -> (SPDYConnection, Task<Void, Never>) {
        let (stream, sink) = AsyncStream.makeStream(of: [UInt8].self)
        let connection = SPDYConnection(output: sink)
        let writer = Task {
            for await chunk in stream {
                do {
                    try await write(chunk)
                } catch {
                    await connection.writerFailed()
                    return
                }
                await connection.wrote(chunk.count)
            }
        }
        return (connection, writer)
    }

    /// Decodes client bytes. On a protocol error the session's GOAWAY is flushed and the error
    /// rethrown: the owner closes the connection.
    func receive(_ bytes: [UInt8]) throws(SPDYError) -> [SPDYSessionEvent] {
        defer {
            flush()
            // A WINDOW_UPDATE may have let queued data go.
            if !isBackedUp { resumeWaiters() }
        }
        return try session.receive(bytes)
    }

    func reply(streamID: UInt32) {
        try? session.reply(streamID: streamID, headers: SPDYHeaders(), fin: false)
        flush()
    }

    /// Sends on a stream; a stream the client reset or finished both ways drops the data.
    /// Waits while too much is waiting for the socket.
    func send(streamID: UInt32, data: [UInt8], fin: Bool) async {
        try? session.send(streamID: streamID, data: data, fin: fin)
        flush()
        while isBackedUp, !writerGone {
            await withCheckedContinuation { writableWaiters.append($0) }
        }
    }

    func reset(streamID: UInt32) {
        session.reset(streamID: streamID, status: .cancel)
        flush()
    }

    /// Sends GOAWAY and ends the writer's queue once everything before it is written.
    func finish() {
        session.goAway()
        flush()
        output.finish()
    }

    private func flush() {
        let bytes = session.takeOutput()
        guard !bytes.isEmpty, !writerGone else { return }
        unwritten += bytes.count
        output.yield(bytes)
    }

    /// Too much waits for the socket, or for the client's flow-control windows.
    private var isBackedUp: Bool { unwritten > Self.highWater || session.queuedByteCount > Self.highWater }

    private func wrote(_ count: Int) {
        unwritten -= count
        if !isBackedUp { resumeWaiters() }
    }

    private func writerFailed() {
        writerGone = true
        output.finish()
        resumeWaiters()
    }

    private func resumeWaiters() {
        let waiters = writableWaiters
        writableWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
