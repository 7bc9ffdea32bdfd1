import SPDY
import Testing

/// The client's side of the connection in these tests: its own codec, as kubectl has its own
/// framer and zlib streams.
final class TestClient {
    private let encoder = SPDYFrameEncoder()
    private let decoder = SPDYFrameDecoder()

    func bytes(_ frames: SPDYFrame...) -> [UInt8] { frames.flatMap { encoder.encode($0) } }

    /// Decodes everything the session queued for the socket.
    func read(_ session: SPDYServerSession) throws -> [SPDYFrame] { try decoder.decode(session.takeOutput()) }

    /// Opens stream `id` the way kubectl opens its exec streams.
    func open(_ id: UInt32, _ type: String, fin: Bool = false) -> [UInt8] {
        bytes(
            .synStream(
                streamID: id, associatedStreamID: 0, priority: 0, fin: fin, unidirectional: false,
                headers: ["streamtype": type]))
    }
}

/// Total payload of the DATA frames for a stream, and whether one carried FIN.
func dataSent(_ frames: [SPDYFrame], on id: UInt32) -> (count: Int, fin: Bool) {
    var count = 0
    var fin = false
    for case .data(let stream, let frameFin, let payload) in frames where stream == id {
        count += payload.count
        fin = fin || frameFin
    }
    return (count, fin)
}

@Suite("SPDY server session")
struct SPDYServerSessionTests {
    @Test("a client stream opens, is replied to, and carries data both ways until both sides FIN")
    func streamLifecycle() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        #expect(try session.receive(client.open(1, "stdin")) == [.streamOpened(streamID: 1, headers: ["streamtype": "stdin"])])
        try session.reply(streamID: 1, headers: [:], fin: false)
        #expect(try client.read(session) == [.synReply(streamID: 1, fin: false, headers: [:])])

        #expect(
            try session.receive(client.bytes(.data(streamID: 1, fin: true, payload: Array("ls\n".utf8)))) == [
                .data(streamID: 1, payload: Array("ls\n".utf8)), .remoteFinished(streamID: 1),
            ])
        try session.send(streamID: 1, data: Array("ok".utf8), fin: false)
        try session.send(streamID: 1, data: [], fin: true)
        #expect(
            try client.read(session) == [
                .data(streamID: 1, fin: false, payload: Array("ok".utf8)), .data(streamID: 1, fin: true, payload: []),
            ])
        #expect(session.openStreamIDs == [])
        #expect(throws: SPDYError.unknownStream(streamID: 1, operation: "send")) {
            try session.send(streamID: 1, data: [1], fin: false)
        }
    }

    @Test("a SYN_STREAM with FIN reports the stream opened and finished at once")
    func synStreamWithFin() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        #expect(
            try session.receive(client.open(1, "error", fin: true)) == [
                .streamOpened(streamID: 1, headers: ["streamtype": "error"]), .remoteFinished(streamID: 1),
            ])
        try session.reply(streamID: 1, headers: [:], fin: false)
        try session.send(streamID: 1, data: Array("{}".utf8), fin: true)
        #expect(dataSent(try client.read(session), on: 1) == (2, true))
        #expect(session.openStreamIDs == [])
    }

    @Test("the client's pings are echoed; even IDs, which would answer the server's pings, are not")
    func pingEcho() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        #expect(try session.receive(client.bytes(.ping(id: 1), .ping(id: 2), .ping(id: 3))) == [])
        #expect(try client.read(session) == [.ping(id: 1), .ping(id: 3)])
    }

    @Test("with flow control enforced, data past the window is queued and WINDOW_UPDATEs on the stream and the session release it")
    func enforcedWindow() throws {
        let session = SPDYServerSession(outboundFlowControl: .enforced)
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdout"))
        try session.reply(streamID: 1, headers: [:], fin: false)
        _ = try client.read(session)

        try session.send(streamID: 1, data: [UInt8](repeating: 0xAB, count: 70_000), fin: true)
        let first = try client.read(session)
        #expect(dataSent(first, on: 1) == (65_536, false))
        #expect(first.count == 2)  // two frames of 32 KiB
        #expect(session.queuedByteCount(streamID: 1) == 70_000 - 65_536)
        #expect(session.queuedByteCount == 70_000 - 65_536)
        #expect(session.sendWindow(streamID: 1) == 0)
        #expect(session.sessionSendWindow == 0)

        // The stream's window opens, the session's is still shut: nothing moves.
        #expect(try session.receive(client.bytes(.windowUpdate(streamID: 1, delta: 10_000))) == [])
        #expect(try client.read(session) == [])
        // The session's window opens by less than the rest: part of it goes.
        _ = try session.receive(client.bytes(.windowUpdate(streamID: 0, delta: 4_000)))
        #expect(try client.read(session) == [.data(streamID: 1, fin: false, payload: [UInt8](repeating: 0xAB, count: 4_000))])
        _ = try session.receive(client.bytes(.windowUpdate(streamID: 0, delta: 100_000)))
        #expect(try client.read(session) == [.data(streamID: 1, fin: true, payload: [UInt8](repeating: 0xAB, count: 464))])
        #expect(session.queuedByteCount(streamID: 1) == 0)
        #expect(session.sendWindow(streamID: 1) == 5_536)  // 10000 - 4464
    }

    @Test("a FIN queued behind data waits for it, and sends no more data after it")
    func finWaitsForQueue() throws {
        let session = SPDYServerSession(outboundFlowControl: .enforced)
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdout"))
        try session.reply(streamID: 1, headers: [:], fin: false)
        try session.send(streamID: 1, data: [UInt8](repeating: 1, count: 65_536), fin: false)
        try session.send(streamID: 1, data: [2], fin: true)
        #expect(dataSent(try client.read(session), on: 1) == (65_536, false))
        #expect(session.queuedByteCount(streamID: 1) == 1)
        #expect(throws: SPDYError.streamHalfClosed(streamID: 1, operation: "send")) {
            try session.send(streamID: 1, data: [3], fin: false)
        }
        _ = try session.receive(client.bytes(.windowUpdate(streamID: 1, delta: 1), .windowUpdate(streamID: 0, delta: 1)))
        #expect(try client.read(session) == [.data(streamID: 1, fin: true, payload: [2])])
    }

    @Test("by default a peer that never sends WINDOW_UPDATE (spdystream) gets all its data at once")
    func spdystreamPeer() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdout"))
        try session.reply(streamID: 1, headers: [:], fin: false)
        try session.send(streamID: 1, data: [UInt8](repeating: 7, count: 300_000), fin: true)
        #expect(dataSent(try client.read(session), on: 1) == (300_000, true))
        #expect(!session.isEnforcingPeerWindows)
        #expect(session.sessionSendWindow == 65_536 - 300_000)
    }

    @Test("by default a peer's SETTINGS INITIAL_WINDOW_SIZE turns enforcement on and resizes open streams' windows")
    func settingsTurnEnforcementOn() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdout"))
        try session.reply(streamID: 1, headers: [:], fin: false)
        try session.send(streamID: 1, data: [UInt8](repeating: 7, count: 1_000), fin: false)
        _ = try client.read(session)
        _ = try session.receive(
            client.bytes(.settings(clearPersisted: false, [SPDYSetting(id: .initialWindowSize, value: 2_000)])))
        #expect(session.isEnforcingPeerWindows)
        #expect(session.sendWindow(streamID: 1) == 1_000)  // 2000 - the 1000 in flight
        _ = try session.receive(client.open(3, "stderr"))
        #expect(session.sendWindow(streamID: 3) == 2_000)
        try session.send(streamID: 1, data: [UInt8](repeating: 7, count: 1_500), fin: false)
        #expect(dataSent(try client.read(session), on: 1) == (1_000, false))
        #expect(session.queuedByteCount(streamID: 1) == 500)
    }

    @Test("received data is acknowledged with WINDOW_UPDATEs on the stream and the session each half window")
    func receiveWindowUpdates() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdin"))
        try session.reply(streamID: 1, headers: [:], fin: false)
        _ = try client.read(session)
        _ = try session.receive(client.bytes(.data(streamID: 1, fin: false, payload: [UInt8](repeating: 0, count: 20_000))))
        #expect(try client.read(session) == [])
        _ = try session.receive(client.bytes(.data(streamID: 1, fin: false, payload: [UInt8](repeating: 0, count: 20_000))))
        #expect(
            try client.read(session) == [
                .windowUpdate(streamID: 0, delta: 40_000), .windowUpdate(streamID: 1, delta: 40_000),
            ])
        // More than the whole window in one frame, as spdystream may write: accepted.
        let events = try session.receive(
            client.bytes(.data(streamID: 1, fin: false, payload: [UInt8](repeating: 0, count: 100_000))))
        #expect(events == [.data(streamID: 1, payload: [UInt8](repeating: 0, count: 100_000))])
        #expect(
            try client.read(session) == [
                .windowUpdate(streamID: 0, delta: 100_000), .windowUpdate(streamID: 1, delta: 100_000),
            ])
    }

    @Test("a larger initial window is announced with SETTINGS and a session WINDOW_UPDATE")
    func largerReceiveWindow() throws {
        let session = SPDYServerSession(initialWindowSize: 1 << 20)
        let client = TestClient()
        #expect(
            try client.read(session) == [
                .settings(clearPersisted: false, [SPDYSetting(id: .initialWindowSize, value: 1 << 20)]),
                .windowUpdate(streamID: 0, delta: (1 << 20) - 65_536),
            ])
    }

    @Test("streams with even or non-increasing IDs are reset with PROTOCOL_ERROR and not reported")
    func badStreamIDs() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        #expect(try session.receive(client.open(2, "stdin")) == [])
        #expect(try session.receive(client.open(5, "stdin")).count == 1)
        #expect(try session.receive(client.open(3, "stdin")) == [])
        #expect(try session.receive(client.open(5, "stdin")) == [])
        #expect(
            try client.read(session) == [
                .rstStream(streamID: 2, status: .protocolError), .rstStream(streamID: 3, status: .protocolError),
                .rstStream(streamID: 5, status: .protocolError),
            ])
    }

    @Test("after the server's GOAWAY new streams are refused and open ones carry on")
    func serverGoAway() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdin"))
        try session.reply(streamID: 1, headers: [:], fin: false)
        session.goAway()
        session.goAway()
        #expect(try session.receive(client.open(3, "stdin")) == [])
        try session.send(streamID: 1, data: [1], fin: false)
        #expect(
            try client.read(session) == [
                .synReply(streamID: 1, fin: false, headers: [:]), .goAway(lastGoodStreamID: 1, status: 0),
                .rstStream(streamID: 3, status: .refusedStream), .data(streamID: 1, fin: false, payload: [1]),
            ])
    }

    @Test("the client's GOAWAY is reported and its later streams are refused")
    func clientGoAway() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        #expect(try session.receive(client.bytes(.goAway(lastGoodStreamID: 0, status: 0))) == [.goAway(lastGoodStreamID: 0, status: 0)])
        #expect(try session.receive(client.open(1, "stdin")) == [])
        #expect(try client.read(session) == [.rstStream(streamID: 1, status: .refusedStream)])
    }

    @Test("the client's RST_STREAM ends the stream and drops its queued data")
    func clientReset() throws {
        let session = SPDYServerSession(outboundFlowControl: .enforced)
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdout"))
        try session.reply(streamID: 1, headers: [:], fin: false)
        try session.send(streamID: 1, data: [UInt8](repeating: 0, count: 70_000), fin: false)
        #expect(
            try session.receive(client.bytes(.rstStream(streamID: 1, status: .cancel))) == [
                .reset(streamID: 1, status: .cancel)
            ])
        #expect(session.openStreamIDs == [])
        // Data already in flight for the reset stream is dropped quietly.
        #expect(try session.receive(client.bytes(.data(streamID: 1, fin: false, payload: [1]))) == [])
    }

    @Test("data after the client's FIN resets the stream with STREAM_ALREADY_CLOSED")
    func dataAfterFin() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdin", fin: true))
        try session.reply(streamID: 1, headers: [:], fin: false)
        _ = try client.read(session)
        #expect(
            try session.receive(client.bytes(.data(streamID: 1, fin: false, payload: [1]))) == [
                .reset(streamID: 1, status: .streamAlreadyClosed)
            ])
        #expect(try client.read(session) == [.rstStream(streamID: 1, status: .streamAlreadyClosed)])
    }

    @Test("data for a stream never opened is answered with INVALID_STREAM")
    func dataForUnopenedStream() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        #expect(try session.receive(client.bytes(.data(streamID: 9, fin: false, payload: [1]))) == [])
        #expect(try client.read(session) == [.rstStream(streamID: 9, status: .invalidStream)])
    }

    @Test("send and reply check the stream's state", arguments: [
        ("send before reply", SPDYError.streamNotReplied(streamID: 1, operation: "send")),
        ("second reply", SPDYError.streamAlreadyReplied(streamID: 1)),
        ("reply to an unknown stream", SPDYError.unknownStream(streamID: 7, operation: "reply")),
        ("reply with a connection header", SPDYError.forbiddenHeader(streamID: 1, name: "connection")),
    ])
    func stateErrors(_ call: String, _ error: SPDYError) throws {
        let session = SPDYServerSession()
        _ = try session.receive(TestClient().open(1, "stdin"))
        #expect(throws: error) {
            switch call {
            case "send before reply": try session.send(streamID: 1, data: [1], fin: false)
            case "second reply":
                try session.reply(streamID: 1, headers: [:], fin: false)
                try session.reply(streamID: 1, headers: [:], fin: false)
            case "reply with a connection header":
                try session.reply(streamID: 1, headers: ["X-Stream-Protocol-Version": "v4", "Connection": "close"], fin: false)
            default: try session.reply(streamID: 7, headers: [:], fin: false)
            }
        }
    }

    @Test("bytes that break the framing throw, and a GOAWAY with PROTOCOL_ERROR is queued")
    func badBytes() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        _ = try session.receive(client.open(1, "stdin"))
        #expect(throws: SPDYError.unsupportedVersion(2, frameType: .ping)) {
            try session.receive([0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1])
        }
        #expect(try client.read(session) == [.goAway(lastGoodStreamID: 1, status: 1)])
    }

    @Test("a WINDOW_UPDATE that grows the session window past 2^31 - 1 throws")
    func sessionWindowOverflow() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        #expect(throws: SPDYError.flowControl(streamID: 0, reason: "WINDOW_UPDATE grows the session window to 2147549183, past 2^31 - 1")) {
            try session.receive(client.bytes(.windowUpdate(streamID: 0, delta: 0x7FFF_FFFF)))
        }
    }

    @Test("a kubectl exec conversation: five streams opened, replied, output sent, error stream closed, GOAWAY")
    func execConversation() throws {
        let session = SPDYServerSession()
        let client = TestClient()
        var opened: [UInt32: String] = [:]
        for (id, type) in [(1, "error"), (3, "stdin"), (5, "stdout"), (7, "stderr"), (9, "resize")] as [(UInt32, String)] {
            for case .streamOpened(let streamID, let headers) in try session.receive(client.open(id, type)) {
                opened[streamID] = headers["streamType"]
                try session.reply(streamID: streamID, headers: [:], fin: false)
            }
        }
        #expect(opened == [1: "error", 3: "stdin", 5: "stdout", 7: "stderr", 9: "resize"])
        try session.send(streamID: 5, data: Array("hello\n".utf8), fin: true)
        try session.send(streamID: 1, data: [], fin: true)
        let frames = try client.read(session)
        #expect(frames.filter { if case .synReply = $0 { true } else { false } }.count == 5)
        #expect(dataSent(frames, on: 5) == (6, true))
        #expect(dataSent(frames, on: 1) == (0, true))
        #expect(
            try session.receive(client.bytes(.goAway(lastGoodStreamID: 0, status: 0))) == [
                .goAway(lastGoodStreamID: 0, status: 0)
            ])
    }
}
