import Glibc
import TestSockets

/// The BSD socket calls the HTTP server makes.
enum Socket {
    /// A TCP socket listening on host:port (0 for an ephemeral port), with SO_REUSEADDR so
    /// that a stopped double can listen on the same port again at once.
    ///
    /// - Returns: The descriptor and the port actually bound.
    static func listen(host: String = "127.0.0.1", port: Int) throws(SocketCallError) -> (descriptor: Int32, port: Int) {
        try Loopback.listen(port: port, host: host, backlog: 512, reuseAddress: true)
    }

    /// Accepts one connection; nil when the listener was shut down or failed.
    static func accept(_ listener: Int32) -> Int32? {
        while true {
            let client = Glibc.accept(listener, nil, nil)
            if client >= 0 {
                var one: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return client
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return nil
        }
    }

    /// Writes all bytes; false when the peer is gone.
    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Reads what is available (blocking for at least one byte); 0 at end of stream or error.
    static func receive(_ descriptor: Int32, into buffer: inout [UInt8]) -> Int {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return 0 }
            buffer.append(contentsOf: chunk[0..<count])
            return count
        }
    }

    static func shutdownBoth(_ descriptor: Int32) {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    static func close(_ descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }
}
