import Synchronization
import Testing

@testable import Probes

/// A container engine's exec that answers from a script and records what it was asked.
private final class FakeExecutor: ContainerExecutor {
    struct Call: Sendable, Hashable {
        var containerID: String
        var command: [String]
        var timeout: Duration
    }

    enum Answer: Sendable {
        case exit(Int, String)
        case error(any Error)
    }

    private let answer: Answer
    private let recorded = Mutex<[Call]>([])

    init(_ answer: Answer) { self.answer = answer }

    var calls: [Call] { recorded.withLock { $0 } }

    func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String) {
        recorded.withLock { $0.append(Call(containerID: containerID, command: command, timeout: timeout)) }
        switch answer {
        case let .exit(code, output): return (code, output)
        case let .error(error): throw error
        }
    }
}

/// The engine's error for a command that outlived its timeout.
private struct ExecTimedOut: Error, CustomStringConvertible {
    var description: String { "exec in container c1 timed out after 1 s" }
}

private func runner(_ answer: FakeExecutor.Answer = .exit(0, "")) -> (NetworkHandlerRunner, FakeExecutor) {
    let executor = FakeExecutor(answer)
    return (NetworkHandlerRunner(executor: executor), executor)
}

private func httpGet(port: Int, host: String? = "127.0.0.1", path: String = "/healthz", headers: [String: String] = [:]) -> Handler {
    .httpGet(scheme: "http", host: host, port: port, path: path, headers: headers)
}

@Suite("Running handlers against real local servers", .timeLimit(.minutes(1)))
struct NetworkHandlerRunnerTests {
    @Test(
        "an HTTP probe succeeds for a status in 200..<400 and fails otherwise",
        arguments: [
            (200, ProbeOutcome.success("HTTP probe succeeded with statuscode: 200")),
            (399, .success("HTTP probe succeeded with statuscode: 399")),
            (400, .failure("HTTP probe failed with statuscode: 400")),
            (500, .failure("HTTP probe failed with statuscode: 500")),
        ])
    func httpStatus(_ status: Int, _ expected: ProbeOutcome) async throws {
        let server = try StubServer(reply: .status(status))
        defer { server.stop() }
        let (runner, _) = runner()
        let outcome = await runner.run(httpGet(port: server.port), podIP: nil, containerID: "c1", timeout: .seconds(1))
        #expect(outcome == expected)
    }

    @Test(
        "an HTTPS probe of a server whose certificate nobody could verify succeeds for 200 and fails for 500, as kubelet's",
        arguments: [(200, true), (500, false)])
    func https(_ status: Int, _ succeeds: Bool) async throws {
        let server = try TLSStubServer(status: status)
        defer { server.stop() }
        let (runner, _) = runner()
        let handler = Handler.httpGet(scheme: "https", host: "127.0.0.1", port: server.port, path: "/healthz", headers: [:])
        let outcome = await runner.run(handler, podIP: nil, containerID: "c1", timeout: .seconds(5))
        #expect(outcome == (succeeds ? .success("HTTP probe succeeded with statuscode: \(status)") : .failure("HTTP probe failed with statuscode: \(status)")))
    }

    @Test("an HTTPS probe of a server that does not speak TLS fails within its timeout")
    func httpsToPlain() async throws {
        // The stub waits for a request head, which a TLS client hello never completes.
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let (runner, _) = runner()
        let handler = Handler.httpGet(scheme: "https", host: "127.0.0.1", port: server.port, path: "/", headers: [:])
        let started = ContinuousClock.now
        let outcome = await runner.run(handler, podIP: nil, containerID: "c1", timeout: .seconds(1))
        #expect(!outcome.isSuccess)
        #expect(outcome.message.hasPrefix("Get \"https://127.0.0.1:\(server.port)/\": "), "\(outcome.message)")
        #expect(ContinuousClock.now - started < .milliseconds(2500), "\(outcome.message)")
    }

    @Test("an HTTP probe goes to the pod IP with its path, its headers and kubelet's kind of user agent")
    func httpRequest() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let (runner, _) = runner()
        let handler = httpGet(port: server.port, host: nil, path: "/ready?full=1", headers: ["X-Probe": "yes"])
        let outcome = await runner.run(handler, podIP: "127.0.0.1", containerID: "c1", timeout: .seconds(1))
        #expect(outcome.isSuccess)
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("GET /ready?full=1 HTTP/1.1\r\n"))
        #expect(request.contains("\r\nX-Probe: yes\r\n"))
        #expect(request.contains("\r\nUser-Agent: kube-probe/clc-node\r\n"))
    }

    @Test("an HTTP probe of a host name, not an address, resolves it and reaches the server")
    func hostName() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let (runner, _) = runner()
        let outcome = await runner.run(httpGet(port: server.port, host: "localhost"), podIP: nil, containerID: "c1", timeout: .seconds(5))
        #expect(outcome == .success("HTTP probe succeeded with statuscode: 200"))
        let request = try #require(server.requests.first)
        #expect(request.contains("\r\nHost: localhost:\(server.port)\r\n"))
    }

    @Test("a User-Agent among the probe's headers replaces the default one")
    func userAgentHeader() async throws {
        let server = try StubServer(reply: .status(204))
        defer { server.stop() }
        let (runner, _) = runner()
        _ = await runner.run(
            httpGet(port: server.port, headers: ["user-agent": "custom/1"]), podIP: nil, containerID: "c1", timeout: .seconds(1))
        let request = try #require(server.requests.first)
        #expect(request.contains("user-agent: custom/1\r\n"))
        #expect(!request.contains("kube-probe"))
    }

    @Test(
        "a probe of a closed port fails at once with a message naming host and port",
        arguments: ["httpGet", "tcpSocket"])
    func closedPort(_ kind: String) async throws {
        let port = try StubServer.closedPort()
        let (runner, _) = runner()
        let handler = kind == "httpGet" ? httpGet(port: port) : .tcpSocket(host: "127.0.0.1", port: port)
        let started = ContinuousClock.now
        let outcome = await runner.run(handler, podIP: nil, containerID: "c1", timeout: .seconds(5))
        #expect(ContinuousClock.now - started < .seconds(2), "a refused connection does not wait for the timeout")
        #expect(!outcome.isSuccess)
        #expect(outcome.message.contains("127.0.0.1:\(port)"), "\(outcome.message)")
        #expect(outcome.message.hasPrefix(kind == "httpGet" ? "Get \"http://127.0.0.1:\(port)/healthz\": " : "dial tcp 127.0.0.1:\(port): "))
    }

    @Test("an HTTP probe of a server that never answers fails at its 1 s timeout")
    func silentServer() async throws {
        let server = try StubServer(reply: .silence)
        defer { server.stop() }
        let (runner, _) = runner()
        let started = ContinuousClock.now
        let outcome = await runner.run(httpGet(port: server.port), podIP: nil, containerID: "c1", timeout: .seconds(1))
        let took = ContinuousClock.now - started
        #expect(!outcome.isSuccess)
        #expect(outcome.message.contains("timed out"), "\(outcome.message)")
        #expect(took >= .milliseconds(900))
        #expect(took < .milliseconds(2500))
        #expect(server.requests.count == 1, "the request reached the server")
    }

    @Test("a TCP probe of an open port succeeds and closes its connection without sending anything")
    func tcpOpen() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let (runner, _) = runner()
        let outcome = await runner.run(.tcpSocket(host: nil, port: server.port), podIP: "127.0.0.1", containerID: "c1", timeout: .seconds(1))
        #expect(outcome.isSuccess)
        // The stub records a connection when the client closes it: a probe must not leave one open.
        await eventually("the probe's connection is closed") { server.requests == [""] }
    }

    @Test("a network probe without a host or pod IP fails without trying", arguments: [httpGet(port: 80, host: nil), .tcpSocket(host: nil, port: 80)])
    func noPodIP(_ handler: Handler) async {
        let (runner, _) = runner()
        #expect(await runner.run(handler, podIP: nil, containerID: "c1", timeout: .seconds(1)) == .failure("no pod IP to probe"))
        #expect(await runner.run(handler, podIP: "", containerID: "c1", timeout: .seconds(1)) == .failure("no pod IP to probe"))
    }

    @Test(
        "an exec probe succeeds on exit 0 and fails on another exit or an engine error, with the output",
        arguments: [
            (FakeExecutor.Answer.exit(0, "healthy\n"), ProbeOutcome.success("healthy\n")),
            (.exit(1, "cat: /tmp/healthy: No such file or directory\n"),
             .failure("command [\"cat\", \"/tmp/healthy\"] exited with 1: cat: /tmp/healthy: No such file or directory\n")),
            (.error(ExecTimedOut()), .failure("exec in container c1 timed out after 1 s")),
        ])
    fileprivate func exec(_ answer: FakeExecutor.Answer, _ expected: ProbeOutcome) async {
        let (runner, executor) = runner(answer)
        let outcome = await runner.run(.exec(command: ["cat", "/tmp/healthy"]), podIP: nil, containerID: "c1", timeout: .seconds(3))
        #expect(outcome == expected)
        #expect(executor.calls == [FakeExecutor.Call(containerID: "c1", command: ["cat", "/tmp/healthy"], timeout: .seconds(3))])
    }
}
