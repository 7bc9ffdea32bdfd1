/// The server side of a SPDY/3.1 connection, sans I/O: bytes in, events and bytes out. The owner
/// reads the socket into `receive`, acts on the events, calls `reply`, `send`, `reset` and
/// `goAway`, and writes `takeOutput()` to the socket after each of those calls.
///
/// What it does by itself: accepts client streams (odd IDs, increasing; others get RST_STREAM
/// PROTOCOL_ERROR, as spdystream's server answers them), echoes the client's PINGs, applies the
/// peer's SETTINGS_INITIAL_WINDOW_SIZE, queues outbound DATA while the peer's stream or session
/// window is shut (see `SPDYOutboundFlowControl`) and sends it when WINDOW_UPDATE frames open the
/// windows, and sends WINDOW_UPDATE frames (per stream and for the session, stream 0) as it hands
/// received data to the owner, each time half a window has been consumed.
///
/// Received data beyond the window this side advertised is accepted: spdystream writes each
/// `Write` as one DATA frame whatever the window, and tearing its streams down would break kubectl.
///
/// Not thread-safe by design: one task owns a session and serialises calls.
public final class SPDYServerSession {
    /// The window SPDY/3 gives every stream, and SPDY/3.1 the session, before any SETTINGS or
    /// WINDOW_UPDATE.
    public static let defaultWindowSize: Int64 = 65_536
    /// DATA longer than this is sent as several frames.
    public static let maxDataFrameLength = 32 * 1024

    private static let maxWindow: Int64 = 0x7FFF_FFFF

    private struct Stream {
        var replied = false
        /// send(fin: true) was called (or the client opened the stream unidirectional).
        var localFinishRequested: Bool
        /// The FIN went out (or none is due on a unidirectional stream).
        var localFinished: Bool
        var remoteFinished: Bool
        var sendWindow: Int64
        var receivedSinceUpdate: Int64 = 0
        var pending: [UInt8] = []
        var pendingStart = 0

        var pendingCount: Int { pending.count - pendingStart }
    }

    private let decoder: SPDYFrameDecoder
    private let encoder = SPDYFrameEncoder()
    private let receiveWindow: Int64
    private let sessionReceiveWindow: Int64
    private let outboundFlowControl: SPDYOutboundFlowControl
    private var output: [UInt8] = []
    private var streams: [UInt32: Stream] = [:]
    private var lastPeerStreamID: UInt32 = 0
    private var peerInitialWindow = SPDYServerSession.defaultWindowSize
    private var sessionSendWindowValue = SPDYServerSession.defaultWindowSize
    private var sessionReceivedSinceUpdate: Int64 = 0
    private var peerUsesFlowControl = false
    private var sentGoAway = false
    private var receivedGoAway = false

    /// - Parameters:
    ///   - initialWindowSize: the receive window this side gives each stream (and, when larger
    ///     than 64 KiB, the session). Other than 64 KiB, the session starts by sending SETTINGS
    ///     INITIAL_WINDOW_SIZE (and a session WINDOW_UPDATE for the difference).
    ///   - outboundFlowControl: when DATA waits for the peer's window; the default interoperates
    ///     with spdystream.
    ///   - maxFrameLength, maxHeaderBlockLength: the decoder's caps.
    public init(
        initialWindowSize: UInt32 = 65_536,
        outboundFlowControl: SPDYOutboundFlowControl = .whenPeerUsesIt,
        maxFrameLength: Int = SPDYFrameDecoder.defaultMaxFrameLength,
        maxHeaderBlockLength: Int = SPDYFrameDecoder.defaultMaxHeaderBlockLength
    ) {
        let window = min(Int64(initialWindowSize), Self.maxWindow)
        receiveWindow = window
        sessionReceiveWindow = max(window, Self.defaultWindowSize)
        self.outboundFlowControl = outboundFlowControl
        decoder = SPDYFrameDecoder(maxFrameLength: maxFrameLength, maxHeaderBlockLength: maxHeaderBlockLength)
        if window != Self.defaultWindowSize {
            emit(.settings(clearPersisted: false, [SPDYSetting(id: .initialWindowSize, value: UInt32(window))]))
        }
        if sessionReceiveWindow > Self.defaultWindowSize {
            emit(.windowUpdate(streamID: 0, delta: UInt32(sessionReceiveWindow - Self.defaultWindowSize)))
        }
    }

    // MARK: Receiving

    /// Takes bytes from the client and returns what they mean, in order. Frames the session
    /// answers by itself (PING, WINDOW_UPDATE, SETTINGS, bad streams) leave bytes in `takeOutput()`.
    /// - Throws: `SPDYError` when the bytes break the framing, the header compression or the
    ///   session's flow control; a GOAWAY (PROTOCOL_ERROR) is then queued in `takeOutput()`, and
    ///   the owner should write it and close the connection.
    public func receive(_ bytes: [UInt8]) throws(SPDYError) -> [SPDYSessionEvent] {
        var events: [SPDYSessionEvent] = []
        do {
            for frame in try decoder.decode(bytes) {
                try handle(frame, into: &events)
            }
        } catch {
            if !sentGoAway {
                sentGoAway = true
                emit(.goAway(lastGoodStreamID: lastPeerStreamID, status: 1))
            }
            throw error
        }
        return events
    }

    private func handle(_ frame: SPDYFrame, into events: inout [SPDYSessionEvent]) throws(SPDYError) {
        switch frame {
        case .synStream(let id, _, _, let fin, let unidirectional, let headers):
            if sentGoAway || receivedGoAway {
                emit(.rstStream(streamID: id, status: .refusedStream))
                return
            }
            guard id % 2 == 1, id > lastPeerStreamID else {
                emit(.rstStream(streamID: id, status: .protocolError))
                return
            }
            lastPeerStreamID = id
            streams[id] = Stream(
                localFinishRequested: unidirectional, localFinished: unidirectional, remoteFinished: fin,
                sendWindow: peerInitialWindow)
            events.append(.streamOpened(streamID: id, headers: headers))
            if fin {
                events.append(.remoteFinished(streamID: id))
                removeIfDone(id)
            }
        case .synReply(let id, _, _):
            // This side opens no streams, so a SYN_REPLY answers nothing.
            streamError(id, .invalidStream, into: &events)
        case .rstStream(let id, let status):
            if streams.removeValue(forKey: id) != nil {
                events.append(.reset(streamID: id, status: status))
            }
        case .settings(_, let settings):
            for setting in settings where setting.id == .initialWindowSize {
                let value = Int64(setting.value)
                guard value <= Self.maxWindow else { continue }
                let delta = value - peerInitialWindow
                peerInitialWindow = value
                for id in streams.keys { streams[id]!.sendWindow += delta }
                if outboundFlowControl == .whenPeerUsesIt { peerUsesFlowControl = true }
                flushAll()
            }
        case .ping(let id):
            // Odd IDs are the client's pings; even ones would answer pings this side never sends.
            if id % 2 == 1 { emit(.ping(id: id)) }
        case .goAway(let lastGood, let status):
            receivedGoAway = true
            events.append(.goAway(lastGoodStreamID: lastGood, status: status))
        case .headers(let id, let fin, let headers):
            guard let stream = streams[id] else { return }
            guard !stream.remoteFinished else {
                streamError(id, .streamAlreadyClosed, into: &events)
                return
            }
            events.append(.headers(streamID: id, headers: headers))
            if fin { remoteFinish(id, into: &events) }
        case .windowUpdate(let id, let delta):
            if outboundFlowControl == .whenPeerUsesIt { peerUsesFlowControl = true }
            if id == 0 {
                sessionSendWindowValue += Int64(delta)
                guard sessionSendWindowValue <= Self.maxWindow else {
                    throw .flowControl(
                        streamID: 0, reason: "WINDOW_UPDATE grows the session window to \(sessionSendWindowValue), past 2^31 - 1")
                }
                flushAll()
            } else if streams[id] != nil {
                streams[id]!.sendWindow += Int64(delta)
                guard streams[id]!.sendWindow <= Self.maxWindow else {
                    streamError(id, .flowControlError, into: &events)
                    return
                }
                flush(id)
            }
        case .data(let id, let fin, let payload):
            acknowledgeSessionData(payload.count)
            guard let stream = streams[id] else {
                // Data for a stream never opened is an error; for one already gone (reset or
                // closed while the data was in flight) it is expected and dropped.
                if id > lastPeerStreamID { emit(.rstStream(streamID: id, status: .invalidStream)) }
                return
            }
            guard !stream.remoteFinished else {
                streamError(id, .streamAlreadyClosed, into: &events)
                return
            }
            if !payload.isEmpty { events.append(.data(streamID: id, payload: payload)) }
            if fin {
                remoteFinish(id, into: &events)
            } else {
                acknowledgeStreamData(id, payload.count)
            }
        }
    }

    private func remoteFinish(_ id: UInt32, into events: inout [SPDYSessionEvent]) {
        streams[id]!.remoteFinished = true
        events.append(.remoteFinished(streamID: id))
        removeIfDone(id)
    }

    /// Resets a stream the client broke the protocol on and tells the owner.
    private func streamError(_ id: UInt32, _ status: SPDYResetStatus, into events: inout [SPDYSessionEvent]) {
        emit(.rstStream(streamID: id, status: status))
        if streams.removeValue(forKey: id) != nil {
            events.append(.reset(streamID: id, status: status))
        }
    }

    private func acknowledgeSessionData(_ count: Int) {
        sessionReceivedSinceUpdate += Int64(count)
        if sessionReceivedSinceUpdate >= sessionReceiveWindow / 2 {
            emit(.windowUpdate(streamID: 0, delta: UInt32(min(sessionReceivedSinceUpdate, Self.maxWindow))))
            sessionReceivedSinceUpdate = 0
        }
    }

    private func acknowledgeStreamData(_ id: UInt32, _ count: Int) {
        streams[id]!.receivedSinceUpdate += Int64(count)
        let received = streams[id]!.receivedSinceUpdate
        if received >= receiveWindow / 2 {
            emit(.windowUpdate(streamID: id, delta: UInt32(min(received, Self.maxWindow))))
            streams[id]!.receivedSinceUpdate = 0
        }
    }

    // MARK: Sending

    /// HTTP/1.1 connection headers Go's framer rejects in a SYN_REPLY (spdy/read.go).
    private static let forbiddenReplyHeaders: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding"]

    /// Accepts a stream the client opened (SYN_REPLY).
    /// - Parameter fin: also finish this side of the stream (no data will follow).
    /// - Throws: `.unknownStream` when the stream is not open (never opened, reset, or finished
    ///   both ways), `.streamAlreadyReplied`, `.forbiddenHeader`.
    public func reply(streamID: UInt32, headers: SPDYHeaders, fin: Bool) throws(SPDYError) {
        guard var stream = streams[streamID] else { throw .unknownStream(streamID: streamID, operation: "reply") }
        guard !stream.replied else { throw .streamAlreadyReplied(streamID: streamID) }
        if let forbidden = headers.fields.first(where: { Self.forbiddenReplyHeaders.contains($0.name) }) {
            throw .forbiddenHeader(streamID: streamID, name: forbidden.name)
        }
        stream.replied = true
        if fin {
            stream.localFinishRequested = true
            stream.localFinished = true
        }
        streams[streamID] = stream
        emit(.synReply(streamID: streamID, fin: fin, headers: headers))
        removeIfDone(streamID)
    }

    /// Sends data on a replied stream, now or, while the peer's window is shut, once it opens.
    /// - Parameter fin: finish this side of the stream after `data` (FIN on the last frame).
    /// - Throws: `.unknownStream` (never opened, reset by either side, or finished both ways: an
    ///   owner racing the client's RST_STREAM sees this and drops the data), `.streamNotReplied`
    ///   (spdystream drops data that comes before the SYN_REPLY), `.streamHalfClosed` after a FIN.
    public func send(streamID: UInt32, data: [UInt8], fin: Bool) throws(SPDYError) {
        guard let stream = streams[streamID] else { throw .unknownStream(streamID: streamID, operation: "send") }
        guard stream.replied else { throw .streamNotReplied(streamID: streamID, operation: "send") }
        guard !stream.localFinishRequested else { throw .streamHalfClosed(streamID: streamID, operation: "send") }
        if data.isEmpty && !fin { return }
        streams[streamID]!.pending.append(contentsOf: data)
        streams[streamID]!.localFinishRequested = fin
        flush(streamID)
    }

    /// Ends a stream abruptly (RST_STREAM) and forgets it, dropping its queued data.
    public func reset(streamID: UInt32, status: SPDYResetStatus) {
        streams[streamID] = nil
        emit(.rstStream(streamID: streamID, status: status))
    }

    /// Tells the client this side takes no more streams (GOAWAY naming the last stream it
    /// accepted); later SYN_STREAMs are refused. Open streams carry on. spdystream stops reading
    /// at a GOAWAY, so send it once the streams are done. A second call does nothing.
    /// - Parameter status: 0 OK, 1 PROTOCOL_ERROR, 2 INTERNAL_ERROR.
    public func goAway(status: UInt32 = 0) {
        guard !sentGoAway else { return }
        sentGoAway = true
        emit(.goAway(lastGoodStreamID: lastPeerStreamID, status: status))
    }

    /// The bytes to write to the socket now; the session forgets them.
    public func takeOutput() -> [UInt8] {
        defer { output = [] }
        return output
    }

    // MARK: State

    /// Whether `takeOutput()` has bytes.
    public var hasOutput: Bool { !output.isEmpty }

    /// The streams the session tracks (open on at least one side, or with data queued), in order.
    public var openStreamIDs: [UInt32] { streams.keys.sorted() }

    /// Bytes `send` accepted for a stream that wait for the peer's window (0 for unknown streams).
    public func queuedByteCount(streamID: UInt32) -> Int { streams[streamID]?.pendingCount ?? 0 }

    /// Bytes waiting for the peer's windows on all streams: an owner stops reading its sources
    /// (container output, a forwarded socket) while this is large.
    public var queuedByteCount: Int { streams.values.reduce(0) { $0 + $1.pendingCount } }

    /// The peer's receive window for a stream, as far as this side counts it (nil when unknown).
    /// Negative when the peer shrank its initial window below what was in flight.
    public func sendWindow(streamID: UInt32) -> Int64? { streams[streamID]?.sendWindow }

    /// The peer's session receive window (SPDY/3.1), as far as this side counts it.
    public var sessionSendWindow: Int64 { sessionSendWindowValue }

    /// Whether DATA now waits for the peer's windows.
    public var isEnforcingPeerWindows: Bool { outboundFlowControl == .enforced || peerUsesFlowControl }

    // MARK: Flushing

    private func flushAll() {
        for id in streams.keys.sorted() where streams[id]!.pendingCount > 0 || !streams[id]!.localFinished {
            flush(id)
        }
    }

    /// Sends as much of a stream's queue as the windows allow, then its FIN when due.
    private func flush(_ id: UInt32) {
        guard var stream = streams[id], stream.replied, !stream.localFinished else { return }
        let enforcing = isEnforcingPeerWindows
        while stream.pendingCount > 0 {
            var length = min(stream.pendingCount, Self.maxDataFrameLength)
            if enforcing {
                length = min(length, Int(max(0, min(stream.sendWindow, sessionSendWindowValue))))
                if length == 0 { break }
            }
            let chunk = Array(stream.pending[stream.pendingStart..<(stream.pendingStart + length)])
            stream.pendingStart += length
            stream.sendWindow -= Int64(length)
            sessionSendWindowValue -= Int64(length)
            let fin = stream.localFinishRequested && stream.pendingCount == 0
            emit(.data(streamID: id, fin: fin, payload: chunk))
            if fin { stream.localFinished = true }
        }
        if stream.pendingCount == 0 {
            stream.pending.removeAll(keepingCapacity: false)
            stream.pendingStart = 0
            if stream.localFinishRequested && !stream.localFinished {
                // Only the FIN is left (send(data: [], fin: true)); an empty frame costs no window.
                emit(.data(streamID: id, fin: true, payload: []))
                stream.localFinished = true
            }
        } else if stream.pendingStart > 64 * 1024 && stream.pendingStart > stream.pending.count / 2 {
            stream.pending.removeFirst(stream.pendingStart)
            stream.pendingStart = 0
        }
        streams[id] = stream
        removeIfDone(id)
    }

    private func removeIfDone(_ id: UInt32) {
        guard let stream = streams[id] else { return }
        if stream.localFinished && stream.remoteFinished && stream.pendingCount == 0 {
            streams[id] = nil
        }
    }

    private func emit(_ frame: SPDYFrame) {
        output.append(contentsOf: encoder.encode(frame))
    }
}
