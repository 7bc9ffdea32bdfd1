import Foundation
import KubeAPI
import NodeServer
import StreamingProtocol
import Synchronization

/// A token reviewer that knows a fixed set of tokens and counts its reviews.
final class FakeTokenReviewer: TokenReviewer {
    let users: [String: UserInfo]
    let failing: Bool
    private let count = Mutex(0)

    init(users: [String: UserInfo], failing: Bool = false) {
        self.users = users
        self.failing = failing
    }

    var reviews: Int { count.withLock { $0 } }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "master unreachable" }
    }

    func review(token: String) async throws -> TokenReviewResult {
        count.withLock { $0 += 1 }
        if failing { throw Unreachable() }
        if let user = users[token] { return .authenticated(user) }
        return .unauthenticated(reason: "unknown token")
    }
}

/// An authorizer that allows listed users, on listed subresources, and records every question.
final class FakeAuthorizer: Authorizer {
    let allowed: Set<String>
    let subresources: Set<String>?
    private let asked = Mutex<[AuthorizationAttributes]>([])

    init(allowed: Set<String>, subresources: Set<String>? = nil) {
        self.allowed = allowed
        self.subresources = subresources
    }

    var questions: [AuthorizationAttributes] { asked.withLock { $0 } }

    func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) async -> AuthorizationDecision {
        asked.withLock { $0.append(attributes) }
        guard allowed.contains(user.name) else { return .deny(reason: "\(user.name) is not allowed") }
        if let subresources, !subresources.contains(attributes.subresource) { return .deny(reason: "not this subresource") }
        return .allow
    }
}

struct FakePods: NodePodsProvider {
    var all: [Pod]
    var running: [Pod]

    func version() async -> UInt64 { 0 }
    func pods() async -> NodePods { NodePods(version: 0, items: all) }
    func runningPods() async -> NodePods { NodePods(version: 0, items: running) }
}

/// Logs whose stream yields the given chunks, then (when `follow`) stays open until cancelled;
/// records when the consumer went away.
final class FakeLogs: ContainerLogsProvider {
    let chunks: [[UInt8]]
    let follow: Bool
    private let terminations = Mutex<[String]>([])

    init(chunks: [[UInt8]], follow: Bool) {
        self.chunks = chunks
        self.follow = follow
    }

    var terminationReasons: [String] { terminations.withLock { $0 } }

    func logs(namespace: String, pod: String, container: String, query: [String: [String]]) async -> ContainerLogsResult {
        guard pod == "web" else { return .failure(status: 404, message: "pod \"\(namespace)/\(pod)\" not found") }
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        continuation.onTermination = { [self] reason in
            let text =
                switch reason {
                case .cancelled: "cancelled"
                case .finished: "finished"
                @unknown default: "other"
                }
            self.terminations.withLock { $0.append(text) }
        }
        for chunk in chunks { continuation.yield(chunk) }
        if !follow { continuation.finish() }
        return .stream(stream)
    }
}

/// A streaming responder whose sessions echo every byte (SPDY) or message (WebSocket) back,
/// prefixed by what the request asked for; `reject` containers are refused.
final class EchoResponder: StreamingResponder {
    private let recorded = Mutex<[StreamingRequest]>([])

    var requests: [StreamingRequest] { recorded.withLock { $0 } }

    func prepare(_ request: StreamingRequest, transport: StreamingTransport) async -> StreamingDecision {
        recorded.withLock { $0.append(request) }
        if request.path.hasSuffix("/reject") { return .reject(status: 404, message: "container \"reject\" not found") }
        let headers: [StreamingHeader] =
            switch transport {
            case .spdy: [StreamingHeader(name: "X-Stream-Protocol-Version", value: "v4.channel.k8s.io")]
            case .webSocket: [StreamingHeader(name: "Sec-WebSocket-Protocol", value: "v4.channel.k8s.io")]
            }
        return .accept(responseHeaders: headers, session: EchoSession())
    }
}

struct EchoSession: StreamingSession {
    func runSPDY(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async {
        for await bytes in inbound {
            try? await write(bytes)
        }
    }

    func runWebSocket(
        inbound: AsyncStream<WebSocketMessage>, send: @escaping @Sendable (WebSocketMessage) async throws -> Void
    ) async {
        for await message in inbound {
            if case .text("bye") = message { return }
            try? await send(message)
        }
    }
}

