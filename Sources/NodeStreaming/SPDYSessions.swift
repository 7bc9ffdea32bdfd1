/// SPDY transports of the sessions: filled in once the SPDY module is on main.
struct SPDYRemoteCommand {
    let session: RemoteCommandSession
    func run(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async {}
}

struct SPDYPortForward {
    let session: PortForwardSession
    func run(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async {}
}
