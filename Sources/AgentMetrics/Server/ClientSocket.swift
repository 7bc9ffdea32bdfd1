import Glibc

/// One accepted connection. Owns its descriptor and closes it in deinit, so ``shutdown()`` from
/// another thread (the server stopping) never hits a reused number.
final class ClientSocket: Sendable {
    enum Received: Equatable {
        case bytes(Int)
        /// The peer closed its side.
        case closed
        /// Nothing arrived within the receive timeout.
        case timedOut
        case failed(errno: Int32)
    }

    private let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        _ = Glibc.close(descriptor)
    }

    /// Bounds every later receive and send, so a client that stops talking or stops reading
    /// cannot hold the server's thread.
    func setTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1 }  // 0 would mean "forever"
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    /// Appends what arrives (at most `maximum` bytes) to `buffer`.
    func receive(into buffer: inout [UInt8], maximum: Int) -> Received {
        var chunk = [UInt8](repeating: 0, count: max(1, min(maximum, 16_384)))
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return .bytes(count)
            }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .timedOut
            case let code: return .failed(errno: code)
            }
        }
    }

    /// Writes all bytes; false when the peer is gone or stopped reading for longer than the
    /// timeout. MSG_NOSIGNAL: a peer that hung up must not raise SIGPIPE in the agent.
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Sends FIN after the response while still reading, so that unread request bytes do not
    /// make the close a reset that could discard the response at the client.
    func shutdownWrite() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Ends a receive or send blocked on another thread.
    func shutdown() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }
}
