#if canImport(Glibc)
import Glibc
#endif

/// An HTTP GET or a TCP connect to an IP address (a pod's, as a rule) over a plain non-blocking
/// socket that the probe reactor polls: the common probe, at the cost of a few system calls.
/// HTTPS and host names go through ``NetworkProbe`` instead.
struct SocketProbe: Sendable {
    let reactor: ProbeReactor
    let maxBodyBytes: Int

    /// An IPv4 or IPv6 address literal and a port, as a socket address; nil for anything else
    /// (a name, an address with a zone).
    struct Address: Sendable {
        fileprivate enum Storage: Sendable {
            case v4(sockaddr_in)
            case v6(sockaddr_in6)
        }

        fileprivate let storage: Storage
        private let host: String
        private let port: Int

        /// `host:port` for messages (made only for one).
        var target: String { NetworkProbe.target(host: host, port: port) }

        init?(host: String, port: Int) {
            guard (0...65535).contains(port) else { return nil }
            var v4 = sockaddr_in()
            var v6 = sockaddr_in6()
            if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = in_port_t(UInt16(port).bigEndian)
                storage = .v4(v4)
            } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
                v6.sin6_family = sa_family_t(AF_INET6)
                v6.sin6_port = in_port_t(UInt16(port).bigEndian)
                storage = .v6(v6)
            } else {
                return nil
            }
            self.host = host
            self.port = port
        }
    }

    /// The status of the response to `request` (a complete HTTP/1.1 request with
    /// `Connection: close`).
    nonisolated(nonsending) func httpStatus(_ address: Address, request: [UInt8], timeout: Duration) async throws(NetworkProbe.Failure) -> Int {
        let deadline = Self.deadline(after: timeout)
        var socket = try await connect(address, deadline: deadline, timeout: timeout)
        defer { close(socket.fd) }
        var sent = 0
        while sent < request.count {
            let written = request.withUnsafeBytes { send(socket.fd, $0.baseAddress! + sent, $0.count - sent, CInt(MSG_NOSIGNAL)) }
            if written >= 0 {
                sent += written
            } else if errno == EAGAIN || errno == EINTR {
                try await wait(&socket, ProbeReactor.writable, deadline, timeout: timeout)
            } else {
                throw .other("write tcp \(address.target): \(NetworkProbe.errnoText(errno))")
            }
        }
        var response = ProbeResponse(maxBodyBytes: maxBodyBytes)
        while true {
            let progress = withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 16) { buffer -> ProbeResponse.Progress in
                let count = recv(socket.fd, buffer.baseAddress, buffer.count, 0)
                if count > 0 { return response.feed(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
                if count == 0 { return response.end() }
                if errno == EAGAIN || errno == EINTR { return .needMore }
                return .failed("read tcp \(address.target): \(NetworkProbe.errnoText(errno))")
            }
            switch progress {
            case let .complete(status): return status
            case .closedEarly: throw .closedEarly
            case let .failed(reason): throw .other(reason)
            case .needMore: try await wait(&socket, ProbeReactor.readable | ProbeReactor.peerClosed, deadline, timeout: timeout)
            }
        }
    }

    /// Succeeds when a connection opens (it is closed at once, nothing sent).
    nonisolated(nonsending) func tcpConnect(_ address: Address, timeout: Duration) async throws(NetworkProbe.Failure) {
        let socket = try await connect(address, deadline: Self.deadline(after: timeout), timeout: timeout)
        close(socket.fd)
    }

    /// A connected socket, or the failure worded as Go's dialer words it.
    private nonisolated(nonsending) func connect(_ address: Address, deadline: UInt64, timeout: Duration) async throws(NetworkProbe.Failure) -> ProbeReactor.PolledSocket {
        let family: CInt
        switch address.storage {
        case .v4: family = AF_INET
        case .v6: family = AF_INET6
        }
        let fd = Glibc.socket(family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .dial(target: address.target, reason: "socket: \(NetworkProbe.errnoText(errno))") }
        var socket: ProbeReactor.PolledSocket? = ProbeReactor.PolledSocket(fd: fd)
        // Closed on every way out but success.
        var connected = false
        defer { if !connected { close(fd) } }
        let started: CInt
        switch address.storage {
        case var .v4(storage):
            started = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case var .v6(storage):
            started = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        if started != 0 {
            guard errno == EINPROGRESS else { throw .dial(target: address.target, reason: "connect: \(NetworkProbe.errnoText(errno))") }
            let wake: ProbeReactor.Wake
            do {
                wake = try await reactor.wait(for: &socket, events: ProbeReactor.writable, until: deadline)
            } catch {
                throw .other("\(error)")
            }
            guard case .ready = wake else {
                throw .dial(target: address.target, reason: "i/o timeout after \(NetworkProbe.Failure.seconds(timeout))")
            }
            var code: CInt = 0
            var length = socklen_t(MemoryLayout<CInt>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
            if code != 0 { throw .dial(target: address.target, reason: "connect: \(NetworkProbe.errnoText(code))") }
        }
        connected = true
        return socket!
    }

    /// Waits for the connected socket; the deadline passing is the request's timeout.
    private nonisolated(nonsending) func wait(
        _ socket: inout ProbeReactor.PolledSocket, _ events: UInt32, _ deadline: UInt64, timeout: Duration
    ) async throws(NetworkProbe.Failure) {
        var polled: ProbeReactor.PolledSocket? = socket
        let wake: ProbeReactor.Wake
        do {
            wake = try await reactor.wait(for: &polled, events: events, until: deadline)
        } catch {
            throw .other("\(error)")
        }
        socket = polled!
        if case .deadline = wake { throw .timedOut(timeout) }
    }

    private static func deadline(after timeout: Duration) -> UInt64 {
        ProbeReactor.deadline(from: ProbeReactor.now(), after: timeout)
    }
}
