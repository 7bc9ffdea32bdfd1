import Foundation
import Synchronization

/// A stand-in for systemd's notification socket: a unix datagram socket whose path an agent gets
/// as `NOTIFY_SOCKET`; every datagram it sends (`READY=1\nSTATUS=...`) is kept.
final class NotifySocket: Sendable {
    let path: String
    private let descriptor: Int32
    private let received = Messages()

    init() throws {
        path = NSTemporaryDirectory() + "clc-notify-\(UUID().uuidString.prefix(8)).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw NotifySocketError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw NotifySocketError("bind \(path): errno \(errno)") }
        let fd = descriptor
        let received = self.received
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { return }
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                received.list.withLock { $0.append(text) }
            }
        }
        reader.start()
    }

    /// The datagrams, shared with the reader thread.
    private final class Messages: Sendable {
        let list = Mutex<[String]>([])
    }

    /// Every datagram received so far, in order.
    var messages: [String] { received.list.withLock { $0 } }

    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
        unlink(path)
    }
}

struct NotifySocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
