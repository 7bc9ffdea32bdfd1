import MnlSocket

/// The route bus's socket (`MnlSocket`, which opens it in another namespace when asked), its
/// failures as `RouteNetlinkError`.
final class RtnetlinkSocket {
    private let socket: MnlSocket

    /// - Parameter networkNamespace: a path such as `/var/run/netns/NAME`; nil for the caller's.
    init(networkNamespace: String?) throws(RouteNetlinkError) {
        socket = try Self.mapping { () throws(MnlSocket.Failure) in try MnlSocket(.route, networkNamespace: networkNamespace) }
    }

    /// Room for large batches of requests and their acknowledgements.
    func reserve(send: Int, receive: Int) { socket.reserve(send: send, receive: receive) }

    func send(_ bytes: [UInt8], purpose: String) throws(RouteNetlinkError) {
        try Self.mapping { () throws(MnlSocket.Failure) in try socket.send(bytes, operation: "sendto (\(purpose))") }
    }

    /// One datagram into `buffer`; returns its length.
    func receive(into buffer: UnsafeMutableRawBufferPointer, purpose: String) throws(RouteNetlinkError) -> Int {
        try Self.mapping { () throws(MnlSocket.Failure) in try socket.receive(into: buffer, operation: "recvfrom (\(purpose))") }
    }

    private static func mapping<T>(_ body: () throws(MnlSocket.Failure) -> T) throws(RouteNetlinkError) -> T {
        do {
            return try body()
        } catch {
            throw .system(operation: error.operation, errno: error.errno)
        }
    }
}
