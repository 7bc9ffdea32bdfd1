import DockerEngine
import Foundation
import NodeStreaming
import StreamingProtocol
import Testing

@Suite("Exec, attach and port-forward over WebSocket against the real engine", .serialized)
struct WebSocketSessionTests {
    let success = #"{"metadata":{},"status":"Success"}"#

    private func responder(_ pod: BusyboxPod, timeouts: StreamingTimeouts = .kubelet, stdin: Bool = false, tty: Bool = false)
        -> RemoteCommandResponder
    {
        RemoteCommandResponder(resolver: pod.resolver(stdin: stdin, tty: tty), containers: pod.client, timeouts: timeouts)
    }

    /// Runs the session to its end, feeding `input` first (and closing the client when asked).
    private func transcript(
        _ session: any StreamingSession, input: [WebSocketMessage] = [], closeClient: Bool = false
    ) async -> ChannelTranscript {
        let client = WebSocketClientDouble()
        for message in input { client.send(message) }
        if closeClient { client.close() }
        let task = client.run(session)
        var transcript = ChannelTranscript()
        for await message in client.sent { transcript.add(message) }
        await task.value
        client.close()
        return transcript
    }

    @Test("an exec over v4 sends the empty ready frame, the output, then Success on channel 3")
    func execEcho() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod).prepare(
                request("/exec/default/web/app", ["command": ["echo", "hello"], "stdout": ["1"]], protocols: ["v4.channel.k8s.io"]),
                transport: .webSocket)
            let (headers, session) = try acceptedSession(decision)
            #expect(headers == [StreamingHeader(name: "Sec-WebSocket-Protocol", value: "v4.channel.k8s.io")])
            let result = await transcript(session)
            #expect(result.frames.first.map { $0.0 == 1 && $0.1.isEmpty } == true)
            #expect(result.text(1) == "hello\n")
            #expect(result.text(3) == success)
        }
    }

    @Test("stderr arrives on channel 2 and exit code 3 as NonZeroExitCode with an ExitCode cause")
    func execExitCode() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod).prepare(
                request(
                    "/exec/default/web/app", ["command": ["sh", "-c", "echo out; echo err >&2; exit 3"], "stdout": ["1"], "stderr": ["1"]],
                    protocols: ["v5.channel.k8s.io"]),
                transport: .webSocket)
            let result = await transcript(try acceptedSession(decision).session)
            #expect(result.text(1) == "out\n")
            #expect(result.text(2) == "err\n")
            #expect(result.text(3) == RemoteCommandOutcome.exitCode(3).statusJSON)
            #expect(result.text(3).contains(#""reason":"NonZeroExitCode""#))
        }
    }

    @Test("stdin reaches cat and the v5 CLOSE frame ends it")
    func execStdinClose() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod).prepare(
                request("/exec/default/web/app", ["command": ["cat"], "stdin": ["1"], "stdout": ["1"]], protocols: ["v5.channel.k8s.io"]),
                transport: .webSocket)
            let result = await transcript(
                try acceptedSession(decision).session,
                input: [.binary([0] + Array("abc\n".utf8)), .binary([0] + Array("def\n".utf8)), .binary([255, 0])])
            #expect(result.text(1) == "abc\ndef\n")
            #expect(result.text(3) == success)
        }
    }

    @Test("the base64 protocol carries text frames both ways")
    func base64Protocol() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod).prepare(
                request(
                    "/exec/default/web/app", ["command": ["sh", "-c", "head -c 3"], "stdin": ["1"], "stdout": ["1"]],
                    protocols: ["v4.base64.channel.k8s.io"]),
                transport: .webSocket)
            let client = WebSocketClientDouble()
            client.send(.text("0" + Data("xyz".utf8).base64EncodedString()))
            let task = client.run(try acceptedSession(decision).session)
            var messages: [WebSocketMessage] = []
            for await message in client.sent { messages.append(message) }
            await task.value
            #expect(messages.first == .text("1"))
            #expect(messages.contains(.text("1" + Data("xyz".utf8).base64EncodedString())))
            #expect(messages.last == .text("3" + Data(success.utf8).base64EncodedString()))
        }
    }

    @Test("a missing binary ends with the runtime's message and its exit code, as kubelet on Docker reports it")
    func missingBinary() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod).prepare(
                request("/exec/default/web/app", ["command": ["no-such-binary"], "stdout": ["1"], "stderr": ["1"]], protocols: ["v4.channel.k8s.io"]),
                transport: .webSocket)
            let result = await transcript(try acceptedSession(decision).session)
            #expect((result.text(1) + result.text(2)).contains("no-such-binary"))
            let status = result.text(3)
            #expect(status.contains(#""reason":"NonZeroExitCode""#))
            #expect(status.contains(#"{"reason":"ExitCode","message":"126"}"#) || status.contains(#"{"reason":"ExitCode","message":"127"}"#))
        }
    }

    @Test("a tty exec is resized from channel 4 before it reads its size, and has no stderr")
    func ttyResize() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod).prepare(
                request(
                    "/exec/default/web/app",
                    ["command": ["sh", "-c", "read line; stty size"], "stdin": ["1"], "stdout": ["1"], "stderr": ["1"], "tty": ["1"]],
                    protocols: ["v4.channel.k8s.io"]),
                transport: .webSocket)
            let client = WebSocketClientDouble()
            let task = client.run(try acceptedSession(decision).session)
            var result = ChannelTranscript()
            var iterator = client.sent.makeAsyncIterator()
            // The ready frame says the exec's streams are up; resize, then let it read its size.
            if let ready = await iterator.next() { result.add(ready) }
            client.send(.binary([4] + Array(#"{"Width":100,"Height":40}"#.utf8)))
            try await Task.sleep(for: .milliseconds(300))
            client.send(.binary([0] + Array("go\r".utf8)))
            while let message = await iterator.next() { result.add(message) }
            await task.value
            #expect(result.text(1).contains("40 100"))
            #expect(result.text(2).isEmpty)
            #expect(result.text(3) == success)
        }
    }

    @Test("attach follows the container's output and ends with Success when it exits")
    func attach() async throws {
        try await BusyboxPod.with(script: "read line; echo attached $line; sleep 0.2", openStdin: true) { pod in
            let decision = await responder(pod, stdin: true).prepare(
                request("/attach/default/web/app", ["stdin": ["1"], "stdout": ["1"], "stderr": ["1"]], protocols: ["v4.channel.k8s.io"]),
                transport: .webSocket)
            let result = await transcript(try acceptedSession(decision).session, input: [.binary([0] + Array("ok\n".utf8))])
            #expect(result.text(1) == "attached ok\n")
            #expect(result.text(3) == success)
        }
    }

    @Test("a connection idle past the idle time-out ends the session")
    func idleTimeout() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod, timeouts: StreamingTimeouts(streamCreation: .seconds(1), idle: .milliseconds(500))).prepare(
                request("/exec/default/web/app", ["command": ["sleep", "1000"], "stdout": ["1"]], protocols: ["v4.channel.k8s.io"]),
                transport: .webSocket)
            let started = ContinuousClock.now
            let result = await transcript(try acceptedSession(decision).session)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(result.text(3).isEmpty)
        }
    }

    @Test("a client that offers no subprotocol gets binary channels and only error text, none on success")
    func noSubprotocol() async throws {
        try await BusyboxPod.with { pod in
            let decision = await responder(pod).prepare(
                request("/exec/default/web/app", ["command": ["sh", "-c", "echo hi; exit 2"], "stdout": ["1"]]), transport: .webSocket)
            let (headers, session) = try acceptedSession(decision)
            #expect(headers.isEmpty)
            let result = await transcript(session)
            #expect(result.text(1) == "hi\n")
            #expect(result.text(3) == "command terminated with non-zero exit code: Error executing in Docker Container: 2")
        }
    }

    @Test("an exec in a container that stopped is an internal error with code 500 on the status channel")
    func stoppedContainer() async throws {
        try await BusyboxPod.with(script: "exit 0") { pod in
            for _ in 0..<50 where try await pod.client.inspectContainer(id: pod.containerID).state.running {
                try await Task.sleep(for: .milliseconds(100))
            }
            let decision = await responder(pod).prepare(
                request("/exec/default/web/app", ["command": ["true"], "stdout": ["1"]], protocols: ["v4.channel.k8s.io"]),
                transport: .webSocket)
            let status = await transcript(try acceptedSession(decision).session).text(3)
            #expect(status.contains(#""reason":"InternalError""#))
            #expect(status.contains(#""code":500"#))
            #expect(status.contains("error executing command in container"))
        }
    }

    @Test("twenty execs leave no file descriptor behind (each would leak a socket and a pipe)")
    func noDescriptorLeak() async throws {
        try await BusyboxPod.with { pod in
            let responder = responder(pod)
            let run = {
                let decision = await responder.prepare(
                    request("/exec/default/web/app", ["command": ["echo", "x"], "stdout": ["1"]], protocols: ["v4.channel.k8s.io"]),
                    transport: .webSocket)
                _ = await transcript(try acceptedSession(decision).session)
            }
            try await run()
            // The engine's client keeps its pooled connections; count after the first exec.
            let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
            for _ in 0..<20 { try await run() }
            // Other suites open descriptors in this process meanwhile: a leak of this session's
            // socket and wake-up pipe would be 60 or more, parallel noise is a few.
            var after = Int.max
            for _ in 0..<30 where after > before + 20 {
                try await Task.sleep(for: .milliseconds(100))
                after = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
            }
            #expect(after <= before + 20, "descriptors: \(before) before, \(after) after 20 execs")
            print("open descriptors: \(before) after one exec, \(after) after 20 more")
        }
    }

    @Test("port-forward sends each port on its data and error channels, relays an HTTP exchange, and ends when every port's pod side ended")
    func portForward() async throws {
        try await BusyboxPod.with { pod in
            // httpd may need a moment to listen after the container started, and a port whose
            // dial fails is done, as in kubelet: each attempt is a session of its own.
            var result = ChannelTranscript()
            for _ in 0..<20 {
                let decision = await responder(pod).prepare(
                    request("/portForward/default/web", ["port": ["8080,9"]], protocols: ["v4.channel.k8s.io"]), transport: .webSocket)
                let client = WebSocketClientDouble()
                let task = client.run(try acceptedSession(decision).session)
                result = ChannelTranscript()
                var iterator = client.sent.makeAsyncIterator()
                for _ in 0..<4 { if let message = await iterator.next() { result.add(message) } }
                #expect(result.frames.map(\.0) == [0, 1, 2, 3])
                #expect(result.frames.map(\.1) == [[0x90, 0x1f], [0x90, 0x1f], [9, 0], [9, 0]])
                client.send(.binary([0] + Array("GET /index.html HTTP/1.0\r\n\r\n".utf8)))
                // httpd closes after its answer and port 9 refuses: the session ends by itself.
                while let message = await iterator.next() { result.add(message) }
                await task.value
                client.close()
                if result.text(0).contains("hello from the pod") { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(result.text(0).contains(" 200 OK\r\n"))
            #expect(result.text(0).contains("hello from the pod"))
            #expect(result.text(3).hasPrefix("\u{9}\u{0}error forwarding port 9 to pod web_default, uid : "))
        }
    }
}

@Suite("Refusals before the upgrade")
struct ResponderRefusalTests {
    let responder = RemoteCommandResponder(
        resolver: FixedResolver(
            container: StreamContainer(containerID: "c1", podUID: "u", stdin: false, tty: false),
            sandbox: StreamPodSandbox(containerID: "s1", podUID: "u", pid: 0)),
        containers: DockerClient(socketPath: "/nonexistent"))

    @Test(
        "unknown pods and containers, missing streams, ports and protocols are refused with kubelet's status",
        arguments: [
            (request("/exec/default/nope/app", ["command": ["ls"], "stdout": ["1"]]), StreamingTransport.webSocket, 404, "pod default/nope not found"),
            (request("/exec/default/web/db", ["command": ["ls"], "stdout": ["1"]]), .webSocket, 404, "container \"db\" not found in pod default/web"),
            (request("/exec/default/web/app", ["command": ["ls"]]), .webSocket, 400, "at least 1 of stdin, stdout, stderr"),
            (request("/portForward/default/web", [:]), .webSocket, 400, "\"port\" is required"),
            (request("/portForward/default/web", ["port": ["80"]], spdy: ["portforward.k8s.io"]), .spdy, 400, "no running infra container"),
            (request("/exec/default/web/app", ["command": ["ls"], "stdout": ["1"]], protocols: ["v9.channel.k8s.io"]), .webSocket, 400, "not supported"),
            (request("/exec/default/web/app", ["command": ["ls"], "stdout": ["1"]], spdy: ["v9.channel.k8s.io"]), .spdy, 400, "not supported"),
        ] as [(StreamingRequest, StreamingTransport, Int, String)])
    func refused(request: StreamingRequest, transport: StreamingTransport, status: Int, message: String) async {
        let decision = await responder.prepare(request, transport: transport)
        guard case let .reject(gotStatus, gotMessage) = decision else {
            Issue.record("accepted \(request.path)")
            return
        }
        #expect(gotStatus == status)
        #expect(gotMessage.contains(message))
    }

    @Test("SPDY names the chosen version in X-Stream-Protocol-Version")
    func spdyHeader() async throws {
        let decision = await responder.prepare(
            request("/exec/default/web/app", ["command": ["ls"], "stdout": ["1"]], spdy: ["v4.channel.k8s.io", "v3.channel.k8s.io"]),
            transport: .spdy)
        let (headers, _) = try acceptedSession(decision)
        #expect(headers == [StreamingHeader(name: "X-Stream-Protocol-Version", value: "v4.channel.k8s.io")])
    }
}
