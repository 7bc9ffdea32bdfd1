import Glibc
import Synchronization

/// One accepted TCP connection, served by its own thread.
///
/// Only the serving thread reads, writes and closes the descriptor; other threads may only
/// `abort()` it (shutdown, never close), so a descriptor number is never reused under them.
final class HTTPConnection: Sendable {
    private struct State {
        var descriptor: Int32
        var closed = false
        var aborted = false
        var watching = false
    }

    let id: Int
    private let state: Mutex<State>
    /// What the TLS front said about the client, when the connection came through it.
    let front = Mutex<FrontPreamble?>(nil)

    init(id: Int, descriptor: Int32) {
        self.id = id
        self.state = Mutex(State(descriptor: descriptor))
    }

    /// Set once another thread cut the connection (`breakWatches`, `stop`).
    var isAborted: Bool { state.withLock { $0.aborted } }

    /// Whether the connection is currently streaming a watch.
    var isWatching: Bool {
        get { state.withLock { $0.watching } }
        set { state.withLock { $0.watching = newValue } }
    }

    /// Whether the peer closed its side (checked without blocking), so an idle watch notices a
    /// client that went away.
    var isPeerGone: Bool {
        let (descriptor, usable) = state.withLock { ($0.descriptor, !$0.closed) }
        guard usable else { return true }
        var byte: UInt8 = 0
        let count = Glibc.recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 0 { return true }
        if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR }
        return false
    }

    /// Cuts the connection abruptly: the peer sees the stream end mid-response, without the
    /// terminating chunk.
    func abort() {
        state.withLock { state in
            guard !state.closed else { return }
            state.aborted = true
            Socket.shutdownBoth(state.descriptor)
        }
    }

    /// Sends bytes; false when the connection is gone or was aborted.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        let (descriptor, usable) = state.withLock { ($0.descriptor, !$0.closed && !$0.aborted) }
        guard usable else { return false }
        return Socket.sendAll(descriptor, bytes)
    }

    /// Reads more bytes into the buffer; 0 at the end of the stream.
    func receive(into buffer: inout [UInt8]) -> Int {
        let (descriptor, usable) = state.withLock { ($0.descriptor, !$0.closed && !$0.aborted) }
        guard usable else { return 0 }
        return Socket.receive(descriptor, into: &buffer)
    }

    /// A complete response with a Content-Length body.
    @discardableResult
    func respond(status: Int, contentType: String = "application/json", body: [UInt8], close: Bool = false) -> Bool {
        var headers = [("Content-Type", contentType), ("Content-Length", String(body.count))]
        if close { headers.append(("Connection", "close")) }
        return send(HTTPResponseWriter.head(status: status, headers: headers) + body)
    }

    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            Socket.close(state.descriptor)
        }
    }
}
