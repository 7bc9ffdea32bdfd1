import Foundation
import Glibc
import TestSockets

/// A TCP client that sends exactly the bytes a test gives it (garbage included) to a server on
/// 127.0.0.1, and reads whatever comes back until the server closes.
final class RawHTTPClient {
    private let descriptor: Int32

    /// - Throws: `SocketCallError` (with `ECONNREFUSED` when nothing listens on the port).
    convenience init(port: Int) throws {
        self.init(descriptor: try Self.connect(port: port))
    }

    // The descriptor is closed only in deinit: closing it in a throwing init as well would run
    // deinit's close a second time, on a number another test's socket may have taken by then.
    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    private static func connect(port: Int) throws -> Int32 {
        let descriptor = try Loopback.connect(port: port)
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return descriptor
    }

    deinit {
        close(descriptor)
    }

    func send(_ text: String) {
        send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes the connection (or 15 s pass).
    func readToEnd() -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Makes the close when the client is released a reset (RST) instead of a polite FIN.
    func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }
}
