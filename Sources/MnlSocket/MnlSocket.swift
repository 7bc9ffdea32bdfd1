import CMnl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A bound netlink socket over libmnl (`struct mnl_socket`) with capped and extended acks and a
/// 10 s receive timeout: the one socket of the route (rtnetlink) and netfilter (nftables,
/// conntrack) clients, which add their messages and their typed errors.
///
/// A socket belongs to the network namespace it was created in, whichever thread uses it later:
/// to program another namespace it is created on a short-lived thread that joined that namespace
/// (membership is per thread), so no thread of the caller ever changes namespace. Links it
/// creates (a vxlan device) are created in that namespace too.
public final class MnlSocket {
    /// A system call that failed: what was attempted, and errno.
    public struct Failure: Error, Sendable {
        public var operation: String
        public var errno: Int32
    }

    /// The bus: `NETLINK_ROUTE` or `NETLINK_NETFILTER`.
    public enum Bus: Sendable {
        case route
        case netfilter

        var number: Int32 { self == .route ? NETLINK_ROUTE : NETLINK_NETFILTER }
        var name: String { self == .route ? "NETLINK_ROUTE" : "NETLINK_NETFILTER" }
    }

    public let pointer: OpaquePointer
    public let portID: UInt32
    public var descriptor: Int32 { mnl_socket_get_fd(pointer) }

    /// - Parameter networkNamespace: a path such as `/var/run/netns/NAME`; nil for the caller's.
    /// - Throws: `Failure` when the socket cannot be opened (or the namespace joined) or bound.
    public init(_ bus: Bus, networkNamespace: String?) throws(Failure) {
        let pointer = try (networkNamespace.map { Self.open(bus, inNamespace: $0) } ?? Self.open(bus)).get()
        self.pointer = pointer
        if mnl_socket_bind(pointer, 0, pid_t(MNL_SOCKET_AUTOPID)) < 0 {
            let code = errno
            mnl_socket_close(pointer)
            throw Failure(operation: "mnl_socket_bind (\(bus.name) socket)", errno: code)
        }
        portID = mnl_socket_get_portid(pointer)
        // Acks carry the failed message's header only, errors the kernel's explanation; both
        // best effort on old kernels.
        _ = clc_rtnl_set_option(descriptor, NETLINK_CAP_ACK, 1)
        _ = clc_rtnl_set_option(descriptor, NETLINK_EXT_ACK, 1)
        _ = clc_rtnl_set_receive_timeout(descriptor, 10)
    }

    deinit { mnl_socket_close(pointer) }

    /// Room for large batches and their acknowledgements (root may exceed the sysctl limits with
    /// the FORCE options, as nft does).
    public func reserve(send: Int, receive: Int) {
        _ = clc_rtnl_socket_set_int(descriptor, SO_SNDBUFFORCE, Int32(clamping: send))
        _ = clc_rtnl_socket_set_int(descriptor, SO_RCVBUFFORCE, Int32(clamping: receive))
    }

    /// - Parameter operation: what is sent, named in the failure.
    public func send(_ bytes: UnsafeRawBufferPointer, operation: @autoclosure () -> String) throws(Failure) {
        if mnl_socket_sendto(pointer, bytes.baseAddress, bytes.count) < 0 { throw Failure(operation: operation(), errno: errno) }
    }

    /// - Parameter operation: what is sent, named in the failure.
    public func send(_ bytes: [UInt8], operation: @autoclosure () -> String) throws(Failure) {
        let sent = bytes.withUnsafeBytes { mnl_socket_sendto(pointer, $0.baseAddress, $0.count) }
        if sent < 0 { throw Failure(operation: operation(), errno: errno) }
    }

    /// One datagram into `buffer`; returns its length.
    /// - Parameter operation: what is awaited, named in the failure.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, operation: @autoclosure () -> String) throws(Failure) -> Int {
        let count = mnl_socket_recvfrom(pointer, buffer.baseAddress, buffer.count)
        if count < 0 { throw Failure(operation: operation(), errno: errno) }
        return count
    }

    private static func open(_ bus: Bus) -> Result<OpaquePointer, Failure> {
        guard let socket = mnl_socket_open(bus.number) else {
            return .failure(Failure(operation: "mnl_socket_open(\(bus.name))", errno: errno))
        }
        return .success(socket)
    }

    private static func open(_ bus: Bus, inNamespace path: String) -> Result<OpaquePointer, Failure> {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                box.result = .failure(Failure(operation: "open network namespace \(path)", errno: errno))
                return
            }
            defer { close(fd) }
            guard clc_rtnl_setns_net(fd) == 0 else {
                box.result = .failure(Failure(operation: "setns \(path)", errno: errno))
                return
            }
            box.result = open(bus)
            // The thread ends here, and its namespace membership with it.
        }
        thread.start()
        done.wait()
        return box.result!
    }
}

/// Carries the socket from the namespace thread to the caller. Safe without a lock: the thread
/// writes before it signals the semaphore, the caller reads after waiting on it.
private final class ResultBox: @unchecked Sendable {
    var result: Result<OpaquePointer, MnlSocket.Failure>?
}
