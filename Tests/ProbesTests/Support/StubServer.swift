import Foundation
import Synchronization

import TestSockets

#if canImport(Glibc)
import Glibc
private let noSignal = Int32(MSG_NOSIGNAL)
#else
import Darwin
private let noSignal: Int32 = 0
#endif

/// A tiny TCP server on 127.0.0.1 and an ephemeral port, for probes to hit. Each connection gets a
/// thread: it reads the request head, records it, then answers with a canned status and closes,
/// or (`.silence`) holds the connection without a word until the client or `stop()` ends it.
final class StubServer: Sendable {
    enum Reply: Sendable {
        case status(Int)
        case silence
        /// 200 with a body of this many bytes, written as far as the client reads it.
        case body(length: Int)
    }

    private struct State {
        var requests: [String] = []
        var connections: [Int32] = []
        var stopped = false
        var bodyBytesWritten: [Int] = []
    }

    let port: Int
    private let listener: Int32
    private let reply: Reply
    private let state = Mutex(State())

    init(reply: Reply) throws(SocketCallError) {
        self.reply = reply
        (listener, port) = try Loopback.listen(reuseAddress: true)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "stub server \(port)"
        thread.start()
    }

    /// A port on 127.0.0.1 where nothing listens: bound once to pick it, then closed.
    static func closedPort() throws(SocketCallError) -> Int {
        try Loopback.closedPort()
    }

    /// The request heads received so far, oldest first.
    var requests: [String] { state.withLock { $0.requests } }

    /// For `.body`: how many body bytes each finished connection managed to write.
    var bodyBytesWritten: [Int] { state.withLock { $0.bodyBytesWritten } }

    /// Stops accepting and ends every open connection; the accept thread ends within its poll
    /// interval. Only a connection's own thread closes its descriptor.
    func stop() {
        state.withLock { state in
            state.stopped = true
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !state.withLock({ $0.stopped }) {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            // The poll interval only bounds how long the thread outlives stop().
            guard poll(&ready, 1, 50) > 0 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            let registered = state.withLock { state in
                if state.stopped { return false }
                state.connections.append(fd)
                return true
            }
            guard registered else {
                close(fd)
                continue
            }
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        let head = readHead(fd)
        state.withLock { $0.requests.append(head) }
        switch reply {
        case let .status(code):
            let response = Array("HTTP/1.1 \(code) Stub\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8)
            _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
        case let .body(length):
            let head = Array("HTTP/1.1 200 OK\r\nContent-Length: \(length)\r\nConnection: close\r\n\r\n".utf8)
            _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536)
            var written = 0
            while written < length {
                let count = chunk.withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, length - written), noSignal) }
                guard count > 0 else { break }
                written += count
            }
            state.withLock { $0.bodyBytesWritten.append(written) }
        case .silence:
            // Hold the connection until the client gives up or the server stops.
            var byte: UInt8 = 0
            while recv(fd, &byte, 1, 0) > 0 {}
        }
        state.withLock { state in
            state.connections.removeAll { $0 == fd }
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    /// Reads until the blank line that ends an HTTP request head, or until the peer closes.
    private func readHead(_ fd: Int32) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}
