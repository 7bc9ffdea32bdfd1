import MnlSocket

/// The netfilter bus's socket (`MnlSocket`, which opens it in another namespace when asked), its
/// failures as `NetfilterError`.
final class NetlinkSocket {
    private let socket: MnlSocket
    var pointer: OpaquePointer { socket.pointer }
    var portID: UInt32 { socket.portID }

    /// - Parameter networkNamespace: a path such as `/var/run/netns/NAME`; nil for the caller's.
    init(networkNamespace: String?) throws(NetfilterError) {
        socket = try Self.mapping { () throws(MnlSocket.Failure) in try MnlSocket(.netfilter, networkNamespace: networkNamespace) }
    }

    /// Makes room in the kernel's send and receive buffers for a large batch and its acks.
    func reserve(send: Int, receive: Int) { socket.reserve(send: send, receive: receive) }

    /// - Parameter purpose: what the bytes are, named in the error.
    func send(_ bytes: UnsafeRawBufferPointer, purpose: String = "netfilter batch") throws(NetfilterError) {
        try Self.mapping { () throws(MnlSocket.Failure) in
            try socket.send(bytes, operation: "sendto (\(purpose) of \(bytes.count) bytes)")
        }
    }

    /// - Parameter purpose: what the bytes are, named in the error.
    func send(_ bytes: [UInt8], purpose: String) throws(NetfilterError) {
        try Self.mapping { () throws(MnlSocket.Failure) in
            try socket.send(bytes, operation: "sendto (\(purpose) of \(bytes.count) bytes)")
        }
    }

    /// One datagram into `buffer`; returns its length.
    /// - Parameter purpose: what is awaited, named in the error.
    func receive(
        into buffer: UnsafeMutableRawBufferPointer, purpose: String = "netfilter acknowledgements"
    ) throws(NetfilterError) -> Int {
        try Self.mapping { () throws(MnlSocket.Failure) in try socket.receive(into: buffer, operation: "recvfrom (\(purpose))") }
    }

    private static func mapping<T>(_ body: () throws(MnlSocket.Failure) -> T) throws(NetfilterError) -> T {
        do {
            return try body()
        } catch {
            throw .system(operation: error.operation, errno: error.errno)
        }
    }
}
