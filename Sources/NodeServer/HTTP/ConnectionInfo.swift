import NIOCore
import StreamingProtocol
import Synchronization

/// What the node server knows about one client connection, shared between the channel handlers
/// (TLS verification callback, upgrade decision, disconnect watcher) and the request handling
/// tasks.
final class ConnectionInfo: Sendable {
    /// An upgrade that was refused, answered as a plain response after the upgrade machinery
    /// hands the request back.
    struct Refusal: Sendable, Equatable {
        var status: Int
        var message: String
    }

    private struct State {
        var peerCertificates: [[UInt8]] = []
        var clientGone = false
        var goneWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var refusal: Refusal?
        var session: (any StreamingSession)?
    }

    /// The client's address without port, for logs.
    let clientHost: String
    private let state = Mutex(State())

    init(remoteAddress: SocketAddress?) {
        clientHost = remoteAddress?.ipAddress ?? "unknown"
    }

    var peerCertificates: [[UInt8]] {
        get { state.withLock { $0.peerCertificates } }
        set { state.withLock { $0.peerCertificates = newValue } }
    }

    // MARK: Upgrade hand-over

    func setRefusal(_ refusal: Refusal) { state.withLock { $0.refusal = refusal } }
    func takeRefusal() -> Refusal? { state.withLock { state in defer { state.refusal = nil }; return state.refusal } }
    func setSession(_ session: any StreamingSession) { state.withLock { $0.session = session } }
    func takeSession() -> (any StreamingSession)? { state.withLock { state in defer { state.session = nil }; return state.session } }

    // MARK: Disconnect

    /// The client closed its side or the connection is gone.
    func markClientGone() {
        let waiters = state.withLock { state in
            state.clientGone = true
            defer { state.goneWaiters = [:] }
            return state.goneWaiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    var isClientGone: Bool { state.withLock { $0.clientGone } }

    /// Returns when the client goes, or when the task is cancelled.
    func waitUntilClientGone() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.clientGone || Task.isCancelled { return true }
                    state.goneWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.goneWaiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

/// Tells ``ConnectionInfo`` when the client closes its side (a read EOF, which the server sees as
/// `inputClosed` because it allows half-closure) or the connection ends.
final class ClientGoneHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    private let info: ConnectionInfo

    init(info: ConnectionInfo) {
        self.info = info
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { info.markClientGone() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        info.markClientGone()
        context.fireChannelInactive()
    }
}
