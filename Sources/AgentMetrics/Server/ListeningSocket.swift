import Glibc

/// A TCP socket listening on a ``BindAddress``. Owns its descriptor and closes it in deinit,
/// so a thread still inside `accept` never sees the number reused by another file.
final class ListeningSocket: Sendable {
    enum Accepted {
        case connection(ClientSocket)
        /// The socket was shut down (``shutdown()``): no more connections will come.
        case shutDown
        /// A failure that may pass (out of descriptors or memory); `errno` says which.
        case failed(errno: Int32)
    }

    private let descriptor: Int32
    /// The port actually bound (the kernel's choice when the address asked for 0).
    let port: UInt16

    private init(descriptor: Int32, port: UInt16) {
        self.descriptor = descriptor
        self.port = port
    }

    deinit {
        _ = Glibc.close(descriptor)
    }

    /// Binds and listens, with SO_REUSEADDR so that a restarted agent gets its port back while
    /// connections of the previous one linger in TIME_WAIT (a port another socket listens on
    /// stays refused).
    /// - Throws: ``MetricsServerError/listen(address:operation:errno:)`` naming the address and
    ///   the call that failed.
    static func open(_ address: BindAddress, backlog: Int32 = 64) throws(MetricsServerError) -> ListeningSocket {
        let family = address.family == .ipv4 ? AF_INET : AF_INET6
        let descriptor = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .listen(address: "\(address)", operation: "socket", errno: errno) }
        func fail(_ operation: String) -> MetricsServerError {
            let code = errno
            _ = Glibc.close(descriptor)
            return .listen(address: "\(address)", operation: operation, errno: code)
        }
        var one: Int32 = 1
        guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw fail("setsockopt SO_REUSEADDR")
        }
        let bound: Int32
        switch address.family {
        case .ipv4:
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = address.port.bigEndian
            guard inet_pton(AF_INET, address.host, &socketAddress.sin_addr) == 1 else { throw fail("inet_pton") }
            bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6:
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = address.port.bigEndian
            guard inet_pton(AF_INET6, address.host, &socketAddress.sin6_addr) == 1 else { throw fail("inet_pton") }
            bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        guard bound == 0 else { throw fail("bind") }
        guard Glibc.listen(descriptor, backlog) == 0 else { throw fail("listen") }
        // sockaddr_in6 is the larger of the two; the port sits at the same offset in both.
        var actual = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw fail("getsockname") }
        return ListeningSocket(descriptor: descriptor, port: UInt16(bigEndian: actual.sin6_port))
    }

    /// Waits for the next connection.
    func accept() -> Accepted {
        while true {
            let client = Glibc.accept(descriptor, nil, nil)
            if client >= 0 {
                // accept4 is not imported; a process spawned in between would inherit the
                // connection only until it execs.
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                return .connection(ClientSocket(descriptor: client))
            }
            switch errno {
            // A connection reset before it was accepted, or a signal: nothing to report.
            case EINTR, ECONNABORTED, EPROTO: continue
            // Linux answers a shut-down listener with EINVAL.
            case EINVAL, EBADF: return .shutDown
            case let code: return .failed(errno: code)
            }
        }
    }

    /// Wakes a thread blocked in ``accept()`` (which then returns ``Accepted/shutDown``) and
    /// refuses new connections; the descriptor is closed when the last reference goes.
    func shutdown() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }
}
