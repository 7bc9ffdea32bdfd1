import CMnl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A bound NETLINK_ROUTE socket (`struct mnl_socket`) with capped and extended acks.
///
/// A socket belongs to the network namespace it was created in, whichever thread uses it later:
/// to program another namespace it is created on a short-lived thread that joined that namespace
/// (membership is per thread), so no thread of the caller ever changes namespace. Links it
/// creates (the vxlan device) are created in that namespace too.
final class RtnetlinkSocket {
    private let pointer: OpaquePointer
    private var descriptor: Int32 { mnl_socket_get_fd(pointer) }

    /// - Parameter networkNamespace: a path such as `/var/run/netns/NAME`; nil for the caller's.
    init(networkNamespace: String?) throws(RouteNetlinkError) {
        let pointer = try (networkNamespace.map(Self.openInNamespace) ?? Self.open()).get()
        self.pointer = pointer
        if mnl_socket_bind(pointer, 0, pid_t(MNL_SOCKET_AUTOPID)) < 0 {
            let code = errno
            mnl_socket_close(pointer)
            throw .system(operation: "mnl_socket_bind (rtnetlink socket)", errno: code)
        }
        // Acks carry the failed message's header only, errors the kernel's explanation; both
        // best effort on old kernels.
        _ = clc_rtnl_set_option(descriptor, NETLINK_CAP_ACK, 1)
        _ = clc_rtnl_set_option(descriptor, NETLINK_EXT_ACK, 1)
        _ = clc_rtnl_set_receive_timeout(descriptor, 10)
    }

    deinit { mnl_socket_close(pointer) }

    /// Room for large batches of requests and their acknowledgements (root may exceed the
    /// sysctl limits with the FORCE options).
    func reserve(send: Int, receive: Int) {
        _ = clc_rtnl_socket_set_int(descriptor, SO_SNDBUFFORCE, Int32(clamping: send))
        _ = clc_rtnl_socket_set_int(descriptor, SO_RCVBUFFORCE, Int32(clamping: receive))
    }

    func send(_ bytes: [UInt8], purpose: String) throws(RouteNetlinkError) {
        let sent = bytes.withUnsafeBytes { mnl_socket_sendto(pointer, $0.baseAddress, $0.count) }
        if sent < 0 { throw .system(operation: "sendto (\(purpose))", errno: errno) }
    }

    /// One datagram into `buffer`; returns its length.
    func receive(into buffer: UnsafeMutableRawBufferPointer, purpose: String) throws(RouteNetlinkError) -> Int {
        let count = mnl_socket_recvfrom(pointer, buffer.baseAddress, buffer.count)
        if count < 0 { throw .system(operation: "recvfrom (\(purpose))", errno: errno) }
        return count
    }

    private static func open() -> Result<OpaquePointer, RouteNetlinkError> {
        guard let socket = mnl_socket_open(NETLINK_ROUTE) else {
            return .failure(.system(operation: "mnl_socket_open(NETLINK_ROUTE)", errno: errno))
        }
        return .success(socket)
    }

    private static func openInNamespace(_ path: String) -> Result<OpaquePointer, RouteNetlinkError> {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                box.result = .failure(.system(operation: "open network namespace \(path)", errno: errno))
                return
            }
            defer { close(fd) }
            guard clc_rtnl_setns_net(fd) == 0 else {
                box.result = .failure(.system(operation: "setns \(path)", errno: errno))
                return
            }
            box.result = open()
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
    var result: Result<OpaquePointer, RouteNetlinkError>?
}
