#if canImport(Glibc)
import Glibc
#endif

/// Plain IPv4 TCP sockets on the loopback address, for the tests' stub servers and raw clients:
/// the socket calls' `sockaddr_in` dance written once.
public enum Loopback {
    /// `host:port` as the socket calls take it.
    public static func address(port: Int, host: String = "127.0.0.1") -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        return address
    }

    /// A listening TCP socket on host:port (0: a port the kernel picks), and the port it got.
    /// - Parameter reuseAddress: SO_REUSEADDR, so that a stopped server can listen on its port
    ///   again at once.
    public static func listen(
        port: Int = 0, host: String = "127.0.0.1", backlog: Int32 = 16, reuseAddress: Bool = false
    ) throws(SocketCallError) -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketCallError(operation: "socket", code: errno) }
        if reuseAddress {
            var one: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        do throws(SocketCallError) {
            try bind(descriptor, port: port, host: host)
            guard Glibc.listen(descriptor, backlog) == 0 else { throw SocketCallError(operation: "listen", code: errno) }
            return (descriptor, try boundPort(descriptor))
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// A port on 127.0.0.1 where nothing listens: bound once to pick it, then closed.
    public static func closedPort() throws(SocketCallError) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketCallError(operation: "socket", code: errno) }
        defer { close(descriptor) }
        try bind(descriptor, port: 0, host: "127.0.0.1")
        return try boundPort(descriptor)
    }

    /// A blocking TCP socket connected to host:port.
    public static func connect(port: Int, host: String = "127.0.0.1") throws(SocketCallError) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketCallError(operation: "socket", code: errno) }
        var address = address(port: port, host: host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw SocketCallError(operation: "connect \(host):\(port)", code: code)
        }
        return descriptor
    }

    private static func bind(_ descriptor: Int32, port: Int, host: String) throws(SocketCallError) {
        var address = address(port: port, host: host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SocketCallError(operation: "bind \(host):\(port)", code: errno) }
    }

    private static func boundPort(_ descriptor: Int32) throws(SocketCallError) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw SocketCallError(operation: "getsockname", code: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A socket call that failed, with its errno.
public struct SocketCallError: Error, CustomStringConvertible {
    public var operation: String
    public var code: Int32

    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}
