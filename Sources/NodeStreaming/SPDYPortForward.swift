import Logging
import SPDY
import Synchronization

/// Port-forward over SPDY (cri/streaming/portforward/httpstream.go): for each connection the
/// client opens a pair of streams with headers `streamType` (error, data), `port` and
/// `requestID`; once both are there the port is dialed and bytes copied. The pod's EOF finishes
/// the data stream, then the error stream; a failed dial writes kubelet's message on the error
/// stream. A pair not complete within the stream-creation time-out is dropped with an error.
struct SPDYPortForward {
    let session: PortForwardSession

    func run(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async {
        let (connection, writer) = SPDYConnection.start(write: write)
        let activity = ActivityClock()
        let pairs = PortStreamPairs()
        let logger = session.logger

        enum Input: Sendable {
            case bytes([UInt8])
            case end
        }
        // The client's bytes and the idle watch meet in one queue, so that the loop below (which
        // alone may add tasks to the group) sees either end the session.
        let (inputs, inputSink) = AsyncStream.makeStream(of: Input.self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await bytes in inbound { inputSink.yield(.bytes(bytes)) }
                inputSink.yield(.end)
            }
            group.addTask {
                await activity.waitUntilIdle(for: session.timeouts.idle)
                inputSink.yield(.end)
            }
            readLoop: for await input in inputs {
                guard case .bytes(let bytes) = input else { break }
                activity.touch()
                let decoded: [SPDYSessionEvent]
                do {
                    decoded = try await connection.receive(bytes)
                } catch {
                    logger.warning("SPDY port-forward connection broke the protocol: \(error)")
                    break readLoop
                }
                for event in decoded {
                    switch event {
                    case let .streamOpened(id, headers):
                        await connection.reply(streamID: id)
                        let opened = pairs.open(
                            id: id, type: headers["streamtype"] ?? "", port: headers["port"] ?? "",
                            requestID: headers["requestid"] ?? "\(id)")
                        switch opened {
                        case .waiting(let requestID):
                            let timeout = session.timeouts.streamCreation
                            group.addTask {
                                try? await Task.sleep(for: timeout)
                                if let errorID = pairs.expire(requestID: requestID) {
                                    let text = "timed out waiting for streams of request \(requestID)"
                                    await connection.send(streamID: errorID, data: Array(text.utf8), fin: true)
                                }
                            }
                        case .complete(let pair):
                            group.addTask { await forward(pair, connection: connection, activity: activity) }
                        case .ignored:
                            break
                        }
                    case let .data(id, payload):
                        pairs.sink(forData: id)?.yield(.data(payload))
                    case let .remoteFinished(id), let .reset(id, _):
                        if let sink = pairs.sink(forData: id) {
                            sink.yield(.closeWrite)
                            sink.finish()
                        }
                    case .headers, .goAway:
                        break
                    }
                }
            }
            pairs.finishAll()
            group.cancelAll()
        }
        await connection.finish()
        await writer.value
    }

    private func forward(_ pair: PortStreamPairs.Pair, connection: SPDYConnection, activity: ActivityClock) async {
        guard let port = UInt16(pair.port), port > 0 else {
            let text = session.forwardingError(port: 0, "invalid port \"\(pair.port)\"")
            await connection.send(streamID: pair.errorID, data: Array(text.utf8), fin: true)
            await connection.send(streamID: pair.dataID, data: [], fin: true)
            return
        }
        await session.forward(
            port: port, events: pair.events, activity: activity, waitForPeerEOF: true
        ) { bytes in
            await connection.send(streamID: pair.dataID, data: bytes, fin: false)
        } error: { text in
            await connection.send(streamID: pair.errorID, data: Array(text.utf8), fin: false)
        } peerEOF: {
            await connection.send(streamID: pair.dataID, data: [], fin: true)
            await connection.send(streamID: pair.errorID, data: [], fin: true)
        }
    }
}

/// The port-forward streams of one SPDY connection, paired by request ID.
final class PortStreamPairs: Sendable {
    struct Pair: Sendable {
        var requestID: String
        var port: String
        var dataID: UInt32
        var errorID: UInt32
        var events: AsyncStream<PortForwardSession.PortEvent>
    }

    enum Opened {
        case waiting(requestID: String)
        case complete(Pair)
        case ignored
    }

    private struct Half {
        var dataID: UInt32?
        var errorID: UInt32?
        var port: String
    }

    private struct State {
        var halves: [String: Half] = [:]
        var sinks: [UInt32: AsyncStream<PortForwardSession.PortEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())

    func open(id: UInt32, type: String, port: String, requestID: String) -> Opened {
        state.withLock { state in
            guard type == "data" || type == "error" else { return .ignored }
            var half = state.halves[requestID] ?? Half(port: port)
            let isNew = state.halves[requestID] == nil
            if type == "data" { half.dataID = id } else { half.errorID = id }
            if half.port.isEmpty { half.port = port }
            guard let dataID = half.dataID, let errorID = half.errorID else {
                state.halves[requestID] = half
                return isNew ? .waiting(requestID: requestID) : .ignored
            }
            state.halves[requestID] = nil
            let (events, sink) = AsyncStream.makeStream(of: PortForwardSession.PortEvent.self)
            state.sinks[dataID] = sink
            return .complete(Pair(requestID: requestID, port: half.port, dataID: dataID, errorID: errorID, events: events))
        }
    }

    /// Drops a pair still incomplete; returns its error stream, if that half came.
    func expire(requestID: String) -> UInt32? {
        state.withLock { state in
            guard let half = state.halves.removeValue(forKey: requestID) else { return nil }
            return half.errorID
        }
    }

    func sink(forData id: UInt32) -> AsyncStream<PortForwardSession.PortEvent>.Continuation? {
        state.withLock { $0.sinks[id] }
    }

    func finishAll() {
        let sinks = state.withLock { state in
            defer { state.sinks.removeAll() }
            return Array(state.sinks.values)
        }
        for sink in sinks { sink.finish() }
    }
}
