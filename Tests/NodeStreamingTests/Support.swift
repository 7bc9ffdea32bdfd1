import DockerEngine
import Foundation
import NodeStreaming
import StreamingProtocol
import Synchronization
import TestSupport
import Testing

/// A pod of one busybox container on the test engine; its own network namespace stands in for
/// the infra container's.
struct BusyboxPod {
    let client: DockerClient
    let containerID: String
    let pid: Int
    let label: String

    static func start(
        script: String = "mkdir -p /www && echo hello from the pod > /www/index.html && httpd -f -p 8080 -h /www",
        tty: Bool = false, openStdin: Bool = false
    ) async throws -> BusyboxPod {
        let client = DockerClient(socketPath: try TestEnvironment.dockerSocket())
        let label = "io.clc-node.test=\(UUID().uuidString.prefix(8))"
        let parts = label.split(separator: "=")
        let config = ContainerCreateConfig(
            image: "clc-test/busybox:latest", cmd: ["sh", "-c", script], labels: [String(parts[0]): String(parts[1])], tty: tty,
            openStdin: openStdin)
        let id = try await client.createContainer(name: "clc-streaming-\(UUID().uuidString.prefix(8))", config: config)
        try await client.startContainer(id: id)
        let inspect = try await client.inspectContainer(id: id)
        return BusyboxPod(client: client, containerID: id, pid: inspect.state.pid, label: label)
    }

    /// Runs `body` with a started pod and removes the pod afterwards, also when `body` throws.
    static func with<T>(
        script: String = "mkdir -p /www && echo hello from the pod > /www/index.html && httpd -f -p 8080 -h /www",
        tty: Bool = false, openStdin: Bool = false, _ body: (BusyboxPod) async throws -> T
    ) async throws -> T {
        let pod = try await start(script: script, tty: tty, openStdin: openStdin)
        do {
            let result = try await body(pod)
            await pod.remove()
            return result
        } catch {
            await pod.remove()
            throw error
        }
    }

    func remove() async {
        try? await client.killContainer(id: containerID, signal: "KILL")
        try? await client.removeContainer(id: containerID)
    }

    /// A resolver that knows this pod as `default/web` with container `app`.
    func resolver(stdin: Bool = false, tty: Bool = false) -> FixedResolver {
        FixedResolver(
            container: StreamContainer(containerID: containerID, podUID: "uid-1", stdin: stdin, tty: tty),
            sandbox: StreamPodSandbox(containerID: containerID, podUID: "uid-1", pid: pid))
    }
}

/// Knows one pod, `default/web`, with one container, `app`.
struct FixedResolver: StreamTargetResolver {
    var container: StreamContainer
    var sandbox: StreamPodSandbox

    func container(namespace: String, pod: String, uid: String?, container name: String) async throws(StreamTargetError)
        -> StreamContainer
    {
        guard namespace == "default", pod == "web" else { throw .podNotFound(namespace: namespace, pod: pod) }
        guard name == "app" else { throw .containerNotFound(namespace: namespace, pod: pod, container: name) }
        return container
    }

    func podSandbox(namespace: String, pod: String, uid: String?) async throws(StreamTargetError) -> StreamPodSandbox {
        guard namespace == "default", pod == "web" else { throw .podNotFound(namespace: namespace, pod: pod) }
        return sandbox
    }
}

/// The client side of a WebSocket session: what the test sends in, what the session sent out.
final class WebSocketClientDouble: Sendable {
    let inbound: AsyncStream<WebSocketMessage>
    private let inboundSink: AsyncStream<WebSocketMessage>.Continuation
    let sent: AsyncStream<WebSocketMessage>
    private let sentSink: AsyncStream<WebSocketMessage>.Continuation

    init() {
        (inbound, inboundSink) = AsyncStream.makeStream(of: WebSocketMessage.self)
        (sent, sentSink) = AsyncStream.makeStream(of: WebSocketMessage.self)
    }

    func send(_ message: WebSocketMessage) { inboundSink.yield(message) }
    func close() { inboundSink.finish() }

    /// Runs `session` in the background; `sent` ends when it returns.
    func run(_ session: any StreamingSession) -> Task<Void, Never> {
        let sink = sentSink
        let inbound = inbound
        return Task {
            await session.runWebSocket(inbound: inbound) { message in sink.yield(message) }
            sink.finish()
        }
    }
}

/// Binary channel frames per channel, joined, and the order channels first appeared.
struct ChannelTranscript {
    var frames: [(UInt8, [UInt8])] = []

    mutating func add(_ message: WebSocketMessage) {
        switch message {
        case .binary(let bytes): frames.append((bytes[0], Array(bytes.dropFirst())))
        case .text(let text):
            let utf8 = Array(text.utf8)
            let payload = Data(base64Encoded: Data(utf8.dropFirst())).map(Array.init) ?? []
            frames.append((utf8[0] - UInt8(ascii: "0"), payload))
        }
    }

    func text(_ channel: UInt8) -> String {
        String(decoding: frames.filter { $0.0 == channel }.flatMap(\.1), as: UTF8.self)
    }
}

func request(_ path: String, _ query: [String: [String]], protocols: [String] = [], spdy: [String] = []) -> StreamingRequest {
    var headers: [String: [String]] = [:]
    if !protocols.isEmpty { headers["sec-websocket-protocol"] = protocols }
    if !spdy.isEmpty { headers["x-stream-protocol-version"] = spdy }
    return StreamingRequest(method: "GET", path: path, query: query, headers: headers, user: "test")
}

/// The session of an accepted decision, or a recorded issue.
func acceptedSession(_ decision: StreamingDecision, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> (headers: [StreamingHeader], session: any StreamingSession)
{
    switch decision {
    case let .accept(headers, session): return (headers, session)
    case let .reject(status, message):
        Issue.record("rejected \(status): \(message)", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}
