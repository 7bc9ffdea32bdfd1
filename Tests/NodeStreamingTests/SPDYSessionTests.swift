import DockerEngine
import Foundation
import NodeStreaming
import SPDY
import StreamingProtocol
import Synchronization
import Testing

/// The client's side of a SPDY session, speaking as kubectl does: its own frame codec and zlib
/// streams, one SYN_STREAM per channel.
final class SPDYClientDouble: Sendable {
    private let encoder = Mutex(SPDYFrameEncoder())
    private let decoder = Mutex(SPDYFrameDecoder())
    let inbound: AsyncStream<[UInt8]>
    private let inboundSink: AsyncStream<[UInt8]>.Continuation
    let written: AsyncStream<[UInt8]>
    private let writtenSink: AsyncStream<[UInt8]>.Continuation

    init() {
        (inbound, inboundSink) = AsyncStream.makeStream(of: [UInt8].self)
        (written, writtenSink) = AsyncStream.makeStream(of: [UInt8].self)
    }

    func send(_ frames: SPDYFrame...) {
        let bytes = encoder.withLock { encoder in frames.flatMap { encoder.encode($0) } }
        inboundSink.yield(bytes)
    }

    func open(_ id: UInt32, _ headers: SPDYHeaders, fin: Bool = false) {
        send(.synStream(streamID: id, associatedStreamID: 0, priority: 0, fin: fin, unidirectional: false, headers: headers))
    }

    func close() { inboundSink.finish() }

    func run(_ session: any StreamingSession) -> Task<Void, Never> {
        let sink = writtenSink
        let inbound = inbound
        return Task {
            await session.runSPDY(inbound: inbound) { bytes in sink.yield(bytes) }
            sink.finish()
        }
    }

    func decode(_ bytes: [UInt8]) throws -> [SPDYFrame] {
        try decoder.withLock { try $0.decode(bytes) }
    }
}

/// What the server sent, per stream.
struct SPDYTranscript {
    var frames: [SPDYFrame] = []

    func data(_ id: UInt32) -> String {
        var bytes: [UInt8] = []
        for case let .data(stream, _, payload) in frames where stream == id { bytes += payload }
        return String(decoding: bytes, as: UTF8.self)
    }

    func finished(_ id: UInt32) -> Bool {
        frames.contains { if case let .data(stream, fin, _) = $0 { return stream == id && fin } else { return false } }
    }

    var repliedStreams: [UInt32] {
        frames.compactMap { if case let .synReply(id, _, _) = $0 { return id } else { return nil } }
    }

    var wentAway: Bool { frames.contains { if case .goAway = $0 { return true } else { return false } } }
}


@Suite("Exec and port-forward over SPDY, with kubectl's frames, against the real engine", .serialized)
struct SPDYSessionTests {
    private func prepare(
        _ pod: BusyboxPod, _ path: String, _ query: [String: [String]], version: String,
        timeouts: StreamingTimeouts = .kubelet
    ) async throws -> any StreamingSession {
        let responder = RemoteCommandResponder(resolver: pod.resolver(), containers: pod.client, timeouts: timeouts)
        return try acceptedSession(await responder.prepare(request(path, query, spdy: [version]), transport: .spdy)).session
    }

    private func transcript(_ client: SPDYClientDouble, _ task: Task<Void, Never>) async throws -> SPDYTranscript {
        var bytes: [UInt8] = []
        for await chunk in client.written { bytes += chunk }
        await task.value
        return SPDYTranscript(frames: try client.decode(bytes))
    }

    @Test("a v4 exec replies to every stream, splits stdout and stderr, and ends with the exit code status, FINs and GOAWAY")
    func execExitCode() async throws {
        try await BusyboxPod.with { pod in
            let session = try await prepare(
                pod, "/exec/default/web/app",
                ["command": ["sh", "-c", "echo out; echo err >&2; exit 3"], "stdout": ["1"], "stderr": ["1"]],
                version: "v4.channel.k8s.io")
            let client = SPDYClientDouble()
            // kubectl's order: error first, then the standard streams.
            client.open(1, ["streamtype": "error"])
            client.open(3, ["streamtype": "stdout"])
            client.open(5, ["streamtype": "stderr"])
            let result = try await transcript(client, client.run(session))
            client.close()
            #expect(result.repliedStreams == [1, 3, 5])
            #expect(result.data(3) == "out\n")
            #expect(result.data(5) == "err\n")
            #expect(result.data(1) == RemoteCommandOutcome.exitCode(3).statusJSON)
            #expect(result.finished(1) && result.finished(3) && result.finished(5))
            #expect(result.wentAway)
        }
    }

    @Test("stdin's data reaches cat and its FIN ends it")
    func execStdin() async throws {
        try await BusyboxPod.with { pod in
            let session = try await prepare(
                pod, "/exec/default/web/app", ["command": ["cat"], "stdin": ["1"], "stdout": ["1"]], version: "v4.channel.k8s.io")
            let client = SPDYClientDouble()
            client.open(1, ["streamtype": "error"])
            client.open(3, ["streamtype": "stdin"])
            client.open(5, ["streamtype": "stdout"])
            client.send(.data(streamID: 3, fin: false, payload: Array("piped\n".utf8)), .data(streamID: 3, fin: true, payload: []))
            let result = try await transcript(client, client.run(session))
            client.close()
            #expect(result.data(5) == "piped\n")
            #expect(result.data(1) == RemoteCommandOutcome.success.statusJSON)
        }
    }

    @Test("a tty exec waits for its resize stream and applies the size sent on it")
    func ttyResize() async throws {
        try await BusyboxPod.with { pod in
            let session = try await prepare(
                pod, "/exec/default/web/app",
                ["command": ["sh", "-c", "read line; stty size"], "stdin": ["1"], "stdout": ["1"], "tty": ["1"]],
                version: "v4.channel.k8s.io")
            let client = SPDYClientDouble()
            let task = client.run(session)
            client.open(1, ["streamtype": "error"])
            client.open(3, ["streamtype": "stdin"])
            client.open(5, ["streamtype": "stdout"])
            client.open(7, ["streamtype": "resize"])
            client.send(.data(streamID: 7, fin: false, payload: Array(#"{"Width":90,"Height":33}"#.utf8)))
            try await Task.sleep(for: .milliseconds(300))
            client.send(.data(streamID: 3, fin: false, payload: Array("go\r".utf8)))
            let result = try await transcript(client, task)
            client.close()
            #expect(result.repliedStreams == [1, 3, 5, 7])
            #expect(result.data(5).contains("33 90"))
            #expect(result.data(1) == RemoteCommandOutcome.success.statusJSON)
        }
    }

    @Test("a v3 exec reports a failure as text only and nothing on success")
    func legacyStatus() async throws {
        try await BusyboxPod.with { pod in
            let session = try await prepare(
                pod, "/exec/default/web/app", ["command": ["true"], "stdout": ["1"]], version: "v3.channel.k8s.io")
            let client = SPDYClientDouble()
            client.open(1, ["streamtype": "error"])
            client.open(3, ["streamtype": "stdout"])
            let result = try await transcript(client, client.run(session))
            client.close()
            #expect(result.data(1) == "")
            #expect(result.finished(1))
        }
    }

    @Test("streams that do not all arrive within the stream-creation time-out end the request")
    func streamCreationTimeout() async throws {
        try await BusyboxPod.with { pod in
            let session = try await prepare(
                pod, "/exec/default/web/app", ["command": ["true"], "stdout": ["1"]], version: "v4.channel.k8s.io",
                timeouts: StreamingTimeouts(streamCreation: .milliseconds(300), idle: .seconds(60)))
            let client = SPDYClientDouble()
            client.open(1, ["streamtype": "error"])
            let started = ContinuousClock.now
            let result = try await transcript(client, client.run(session))
            client.close()
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(result.repliedStreams == [1])
            #expect(result.data(1) == "")
            #expect(result.wentAway)
        }
    }

    @Test("port-forward pairs data and error streams by request ID, relays HTTP and finishes both at the pod's EOF")
    func portForward() async throws {
        try await BusyboxPod.with { pod in
            let session = try await prepare(pod, "/portForward/default/web", [:], version: "portforward.k8s.io")
            let client = SPDYClientDouble()
            let task = client.run(session)
            var bytes: [UInt8] = []
            var frames: [SPDYFrame] = []
            var iterator = client.written.makeAsyncIterator()
            var requestID = 0
            // httpd may need a moment after the container started: retry with a new pair.
            var done = false
            while !done, requestID < 20 {
                let errorID = UInt32(4 * requestID + 1)
                let dataID = errorID + 2
                client.open(errorID, ["streamtype": "error", "port": "8080", "requestid": "\(requestID)"])
                client.open(dataID, ["streamtype": "data", "port": "8080", "requestid": "\(requestID)"])
                client.send(.data(streamID: dataID, fin: false, payload: Array("GET / HTTP/1.0\r\n\r\n".utf8)))
                while let chunk = await iterator.next() {
                    bytes += chunk
                    frames += try client.decode(chunk)
                    let transcript = SPDYTranscript(frames: frames)
                    if transcript.finished(errorID) {
                        done = transcript.data(dataID).contains("hello from the pod")
                        break
                    }
                }
                requestID += 1
                if !done { try await Task.sleep(for: .milliseconds(200)) }
            }
            // The refused port of another pair reports kubelet's message.
            client.open(1001, ["streamtype": "error", "port": "9", "requestid": "refused"])
            client.open(1003, ["streamtype": "data", "port": "9", "requestid": "refused"])
            while !SPDYTranscript(frames: frames).finished(1001), let chunk = await iterator.next() {
                frames += try client.decode(chunk)
            }
            client.close()
            while let chunk = await iterator.next() { frames += try client.decode(chunk) }
            await task.value
            let transcript = SPDYTranscript(frames: frames)
            #expect(done)
            #expect(transcript.data(1001).hasPrefix("error forwarding port 9 to pod web_default, uid : "))
            #expect(transcript.finished(1003))
            #expect(transcript.wentAway)
        }
    }
}
