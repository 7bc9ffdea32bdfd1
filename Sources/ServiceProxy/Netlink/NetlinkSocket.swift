import CNetfilter
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A netfilter netlink socket (`struct mnl_socket`), bound, with extended and capped acks.
///
/// A socket belongs to the network namespace it was created in, whichever thread uses it later:
/// to program another namespace, it is created on a short-lived thread that has joined that
/// namespace (membership is per thread), so the calling thread never changes namespace.
final class NetlinkSocket {
    let pointer: OpaquePointer
    let portID: UInt32
    var descriptor: Int32 { mnl_socket_get_fd(pointer) }

    /// - Parameter networkNamespace: a path such as `/var/run/netns/NAME`; nil for the caller's.
    init(networkNamespace: String?) throws(NetfilterError) {
        let opened: Result<OpaquePointer, NetfilterError>
        if let networkNamespace {
            opened = Self.openInNamespace(networkNamespace)
        } else {
            opened = Self.open()
        }
        let pointer = try opened.get()
        self.pointer = pointer
        if mnl_socket_bind(pointer, 0, pid_t(MNL_SOCKET_AUTOPID)) < 0 {
            let code = errno
            mnl_socket_close(pointer)
            throw .system(operation: "mnl_socket_bind (netfilter netlink socket)", errno: code)
        }
        portID = mnl_socket_get_portid(pointer)
        // Acks carry only the failed message's header, not the whole message; errors carry the
        // kernel's explanation when it has one. Both are best effort on old kernels.
        _ = clc_netlink_set_option(descriptor, NETLINK_CAP_ACK, 1)
        _ = clc_netlink_set_option(descriptor, NETLINK_EXT_ACK, 1)
        _ = clc_socket_set_receive_timeout(descriptor, 10)
    }

    deinit { mnl_socket_close(pointer) }

    /// Makes room for `bytes` in the kernel's send or receive buffer (root may exceed the
    /// sysctl limits with the FORCE options, as nft does for large batches).
    func reserve(send: Int, receive: Int) {
        _ = clc_socket_set_int(descriptor, SO_SNDBUFFORCE, Int32(clamping: send))
        _ = clc_socket_set_int(descriptor, SO_RCVBUFFORCE, Int32(clamping: receive))
    }

    /// - Parameter purpose: what the bytes are, named in the error.
    func send(_ bytes: UnsafeRawBufferPointer, purpose: String = "netfilter batch") throws(NetfilterError) {
        let sent = mnl_socket_sendto(pointer, bytes.baseAddress, bytes.count)
        try check("sendto (\(purpose) of \(bytes.count) bytes)", sent)
    }

    /// - Parameter purpose: what the bytes are, named in the error.
    func send(_ bytes: [UInt8], purpose: String) throws(NetfilterError) {
        let sent = bytes.withUnsafeBytes { mnl_socket_sendto(pointer, $0.baseAddress, $0.count) }
        try check("sendto (\(purpose) of \(bytes.count) bytes)", sent)
    }

    /// One datagram into `buffer`; returns its length.
    /// - Parameter purpose: what is awaited, named in the error.
    func receive(
        into buffer: UnsafeMutableRawBufferPointer, purpose: String = "netfilter acknowledgements"
    ) throws(NetfilterError) -> Int {
        let count = mnl_socket_recvfrom(pointer, buffer.baseAddress, buffer.count)
        return try check("recvfrom (\(purpose))", count)
    }

    private static func open() -> Result<OpaquePointer, NetfilterError> {
        guard let socket = mnl_socket_open(NETLINK_NETFILTER) else {
            return .failure(.system(operation: "mnl_socket_open(NETLINK_NETFILTER)", errno: errno))
        }
        return .success(socket)
    }

    private static func openInNamespace(_ path: String) -> Result<OpaquePointer, NetfilterError> {
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
            guard clc_setns_net(fd) == 0 else {
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
    var result: Result<OpaquePointer, NetfilterError>?
}
