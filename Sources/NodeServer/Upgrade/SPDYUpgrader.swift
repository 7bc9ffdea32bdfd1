import NIOCore
import NIOHTTP1
import StreamingProtocol

/// Upgrades a connection to SPDY/3.1 (kube-apiserver's transport to kubelets): 101 with
/// `Connection: Upgrade`, `Upgrade: SPDY/3.1` and the streaming responder's headers; afterwards
/// the connection's raw bytes belong to the session (the SPDY framing is the session's job).
struct SPDYUpgrader: NIOTypedHTTPServerProtocolUpgrader {
    typealias UpgradeResult = NodeUpgradeResult

    let supportedProtocol = "SPDY/3.1"
    let requiredUpgradeHeaders: [String] = []
    /// Authenticates, authorizes and asks the responder; nil headers refuse the upgrade.
    let prepare: @Sendable (HTTPRequestHead) async -> [StreamingHeader]?
    let info: ConnectionInfo

    struct Refused: Error {}

    func buildUpgradeResponse(
        channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders.self)
        let prepare = prepare
        promise.completeWithTask {
            guard let extra = await prepare(upgradeRequest) else { throw Refused() }
            var headers = HTTPHeaders()
            headers.add(name: "Connection", value: "Upgrade")
            headers.add(name: "Upgrade", value: "SPDY/3.1")
            for header in extra { headers.add(name: header.name, value: header.value) }
            return headers
        }
        return promise.futureResult
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<NodeUpgradeResult> {
        channel.eventLoop.makeCompletedFuture {
            guard let session = info.takeSession() else { throw Refused() }
            let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            return .spdy(asyncChannel, session)
        }
    }
}
