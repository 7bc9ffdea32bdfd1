import KubeAPI
import Synchronization
import Testing

@testable import Probes

/// An exec that prints `output` and exits 1.
private struct Printer: ContainerExecutor {
    var output: String
    func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String) {
        (1, output)
    }
}

@Suite("Probe inputs are bounded as kubelet bounds them", .timeLimit(.minutes(1)))
struct ProbeInputBoundsTests {
    @Test("an HTTP probe whose body is 32 MiB succeeds, reading no more than the first bytes of it")
    func longBodySucceeds() async throws {
        let server = try StubServer(reply: .body(length: 32 << 20))
        defer { server.stop() }
        let runner = NetworkHandlerRunner(executor: Printer(output: ""))
        let outcome = await runner.run(
            .httpGet(scheme: "http", host: "127.0.0.1", port: server.port, path: "/", headers: [:]), podIP: nil, containerID: "c1",
            timeout: .seconds(10))
        #expect(outcome == .success("HTTP probe succeeded with statuscode: 200"))
        await eventually("the server finished the connection") { server.bodyBytesWritten.count == 1 }
        // The agent closed the connection: the server could not write the whole body.
        #expect(server.bodyBytesWritten.first.map { $0 < 32 << 20 } == true, "\(server.bodyBytesWritten)")
    }

    @Test("an HTTP probe whose body is exactly 10 KiB succeeds")
    func bodyAtLimitSucceeds() async throws {
        let server = try StubServer(reply: .body(length: 10 * 1024))
        defer { server.stop() }
        let runner = NetworkHandlerRunner(executor: Printer(output: ""))
        let outcome = await runner.run(
            .httpGet(scheme: "http", host: "127.0.0.1", port: server.port, path: "/", headers: [:]), podIP: nil, containerID: "c1",
            timeout: .seconds(10))
        #expect(outcome.isSuccess)
        #expect(NetworkHandlerRunner.maxReadBytes == 10 * 1024)
    }

    @Test("an exec probe's message keeps at most 10 KiB of the command's output")
    func execOutputCapped() async {
        let long = String(repeating: "y", count: 100_000)
        let outcome = await NetworkHandlerRunner(executor: Printer(output: long)).run(
            .exec(command: ["check"]), podIP: nil, containerID: "c1", timeout: .seconds(1))
        #expect(outcome == .failure("command [\"check\"] exited with 1: " + String(repeating: "y", count: 10 * 1024)))
    }

    @Test("an exec probe's output of exactly 10 KiB is kept whole")
    func execOutputAtCap() async {
        let exact = String(repeating: "y", count: 10 * 1024)
        let outcome = await NetworkHandlerRunner(executor: Printer(output: exact)).run(
            .exec(command: ["check"]), podIP: nil, containerID: "c1", timeout: .seconds(1))
        #expect(outcome == .failure("command [\"check\"] exited with 1: " + exact))
    }

    @Test(
        "a probe header whose name or value holds a CR or LF is refused naming the field",
        arguments: [
            (HTTPHeader(name: "X-Ok", value: "a\r\nX-Forged: 1"), "value", "a\\r\\nX-Forged: 1"),
            (HTTPHeader(name: "X-Bad\n", value: "v"), "name", "X-Bad\\n"),
            (HTTPHeader(name: "X-Ok", value: "a\rb"), "value", "a\\rb"),
        ])
    func headerLineBreakRefused(_ header: HTTPHeader, _ part: String, _ shown: String) throws {
        let container = Container(name: "web", image: "nginx")
        let action = HTTPGetAction(path: "/", port: .int(80), httpHeaders: [HTTPHeader(name: "X-Fine", value: "1"), header])
        do {
            _ = try Handler.resolve(exec: nil, httpGet: action, tcpSocket: nil, container: container, field: "spec.containers[0].livenessProbe")
            Issue.record("the header was accepted")
        } catch {
            #expect(error.field == "spec.containers[0].livenessProbe.httpGet.httpHeaders[1].\(part)")
            #expect(error.detail == "Invalid value: \"\(shown)\": must not contain a carriage return or line feed")
        }
    }

    @Test("a probe header without CR or LF is used as written")
    func plainHeaderAccepted() throws {
        let container = Container(name: "web", image: "nginx")
        let action = HTTPGetAction(path: "/", port: .int(80), httpHeaders: [HTTPHeader(name: "X-Fine", value: "a b\tc")])
        let handler = try Handler.resolve(exec: nil, httpGet: action, tcpSocket: nil, container: container, field: "spec.containers[0].livenessProbe")
        #expect(handler == .httpGet(scheme: "http", host: nil, port: 80, path: "/", headers: ["X-Fine": "a b\tc"]))
    }
}
