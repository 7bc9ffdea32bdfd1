import DockerEngine
import Logging
import StreamingProtocol

/// One exec or attach on an upgraded connection (cri/streaming/remotecommand).
public struct RemoteCommandSession: StreamingSession {
    let runner: RemoteCommandRunner
    let version: StreamProtocolVersion
    let flags: StreamFlags
    let timeouts: StreamingTimeouts
    let logger: Logger

    init(runner: RemoteCommandRunner, version: StreamProtocolVersion, flags: StreamFlags, timeouts: StreamingTimeouts, logger: Logger) {
        self.runner = runner
        self.version = version
        self.flags = flags
        self.timeouts = timeouts
        self.logger = logger
    }

    /// WebSocket channels: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize.
    public func runWebSocket(
        inbound: AsyncStream<WebSocketMessage>, send: @escaping @Sendable (WebSocketMessage) async throws -> Void
    ) async {
        let codec = WebSocketChannelCodec(version: version)
        let writer = SerialWriter(send)
        let activity = ActivityClock()
        // The client learns that the streams are ready from an empty message on the lowest
        // writable channel (remotecommand/websocket.go).
        let readyChannel: UInt8 = flags.stdout ? 1 : (flags.stderr ? 2 : 3)
        do {
            try await writer.write(codec.encode(channel: readyChannel, []))
        } catch {
            return
        }
        let (events, eventSink) = AsyncStream.makeStream(of: ClientEvent.self)
        let translator = Task {
            var resize = TerminalSizeDecoder()
            for await message in inbound {
                switch codec.decode(message) {
                case .data(0, let bytes)? where flags.stdin: eventSink.yield(.stdin(bytes))
                case .data(4, let bytes)?: for size in resize.append(bytes) { eventSink.yield(.resize(size)) }
                case .close(0)? where flags.stdin: eventSink.yield(.stdinClosed)
                default: break
                }
            }
            eventSink.finish()
        }
        defer { translator.cancel() }
        let outcome = await runner.run(events: events, activity: activity) { channel, bytes in
            try await writer.write(codec.encode(channel: channel == .stdout ? 1 : 2, bytes))
        }
        guard let outcome else { return }
        log(outcome)
        if let bytes = outcome.errorChannelBytes(version) {
            try? await writer.write(codec.encode(channel: 3, bytes))
        }
    }

    public func runSPDY(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async {
        await SPDYRemoteCommand(session: self).run(inbound: inbound, write: write)
    }

    func log(_ outcome: RemoteCommandOutcome) {
        if case .failure(let text) = outcome { logger.warning("\(text)") }
    }
}
