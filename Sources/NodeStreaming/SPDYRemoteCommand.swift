import Logging
import SPDY
import Synchronization

/// Exec and attach over SPDY (cri/streaming/remotecommand/httpstream.go): the client opens one
/// stream per channel with header `streamType` (stdin, stdout, stderr, error, resize); each is
/// replied to at once; the command starts once every expected stream is there (or the request
/// ends after the stream-creation time-out); the outcome goes on the error stream, then every
/// stream is finished and the connection ends with GOAWAY.
struct SPDYRemoteCommand {
    let session: RemoteCommandSession

    /// The streams the client must open for these flags and this version.
    static func expectedStreamTypes(_ flags: StreamFlags, version: StreamProtocolVersion) -> Set<String> {
        var types: Set<String> = ["error"]
        if flags.stdin { types.insert("stdin") }
        if flags.stdout { types.insert("stdout") }
        if flags.stderr { types.insert("stderr") }
        if flags.tty, version.supportsResize { types.insert("resize") }
        return types
    }

    func run(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async {
        let (connection, writer) = SPDYConnection.start(write: write)
        let activity = ActivityClock()
        let expected = Self.expectedStreamTypes(session.flags, version: session.version)
        let roster = StreamRoster()
        let (ready, readySink) = AsyncStream.makeStream(of: [String: UInt32].self)
        let (events, eventSink) = AsyncStream.makeStream(of: ClientEvent.self)

        let reader = Task {
            var resize = TerminalSizeDecoder()
            readLoop: for await bytes in inbound {
                activity.touch()
                let decoded: [SPDYSessionEvent]
                do {
                    decoded = try await connection.receive(bytes)
                } catch {
                    session.logger.warning("SPDY exec/attach connection broke the protocol: \(error)")
                    break readLoop
                }
                for event in decoded {
                    switch event {
                    case let .streamOpened(id, headers):
                        await connection.reply(streamID: id)
                        let type = headers["streamtype"] ?? ""
                        if let complete = roster.add(type: type, id: id, expected: expected) { readySink.yield(complete) }
                    case let .data(id, payload):
                        switch roster.type(of: id) {
                        case "stdin": eventSink.yield(.stdin(payload))
                        case "resize": for size in resize.append(payload) { eventSink.yield(.resize(size)) }
                        default: break
                        }
                    case let .remoteFinished(id), let .reset(id, _):
                        if roster.type(of: id) == "stdin" { eventSink.yield(.stdinClosed) }
                    case .headers, .goAway:
                        break
                    }
                }
            }
            // The client closed the connection.
            eventSink.finish()
            readySink.finish()
        }

        defer { reader.cancel() }
        guard let streams = await firstOrTimeout(ready, timeout: session.timeouts.streamCreation) else {
            session.logger.info("exec/attach: the client did not create its streams \(expected.sorted()) in time")
            await connection.finish()
            await writer.value
            return
        }
        let outcome = await session.runner.run(events: events, activity: activity) { channel, bytes in
            guard let id = streams[channel == .stdout ? "stdout" : "stderr"] else { return }
            await connection.send(streamID: id, data: bytes, fin: false)
        }
        if let outcome {
            session.log(outcome)
            if let errorID = streams["error"], let bytes = outcome.errorChannelBytes(session.version) {
                await connection.send(streamID: errorID, data: bytes, fin: false)
            }
            for type in ["error", "stdout", "stderr"] {
                if let id = streams[type] { await connection.send(streamID: id, data: [], fin: true) }
            }
        }
        await connection.finish()
        await writer.value
    }
}

/// The first value of `stream`, or nil after `timeout` (or when it ends empty).
func firstOrTimeout<Value: Sendable>(_ stream: AsyncStream<Value>, timeout: Duration) async -> Value? {
    await withTaskGroup(of: Value?.self) { group in
        group.addTask {
            for await value in stream { return value }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// The streams a client opened, by type; says when the expected set is complete.
final class StreamRoster: Sendable {
    private let state = Mutex<(byType: [String: UInt32], byID: [UInt32: String], announced: Bool)>(([:], [:], false))

    /// Records a stream; returns the whole set the first time every expected type is present.
    func add(type: String, id: UInt32, expected: Set<String>) -> [String: UInt32]? {
        state.withLock { state in
            state.byID[id] = type
            if state.byType[type] == nil { state.byType[type] = id }
            guard !state.announced, expected.isSubset(of: Set(state.byType.keys)) else { return nil }
            state.announced = true
            return state.byType
        }
    }

    func type(of id: UInt32) -> String? {
        state.withLock { $0.byID[id] }
    }
}
