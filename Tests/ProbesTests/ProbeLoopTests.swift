import NIOCore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import Probes

/// Stands for the probe manager: an actor that runs on the probe loop.
private actor OnTheLoop {
    nonisolated var unownedExecutor: UnownedSerialExecutor { ProbeLoop.shared.executor.asUnownedSerialExecutor() }

    /// Whether each step ran on the loop's thread: before a wait and after it.
    func sleep(_ clock: SystemProbeClock, for duration: Duration) async throws -> [Bool] {
        let before = ProbeLoop.shared.inEventLoop
        try await clock.sleep(until: clock.now + duration)
        return [before, ProbeLoop.shared.inEventLoop]
    }

    func probe(_ runner: NetworkHandlerRunner, port: Int) async -> (ProbeOutcome, [Bool]) {
        let before = ProbeLoop.shared.inEventLoop
        let outcome = await runner.run(
            .httpGet(scheme: "http", host: "127.0.0.1", port: port, path: "/", headers: [:]),
            podIP: nil, containerID: "c1", timeout: .seconds(10))
        return (outcome, [before, ProbeLoop.shared.inEventLoop])
    }
}

private struct NoExec: ContainerExecutor {
    func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String) { (0, "") }
}

@Suite("The probe loop", .timeLimit(.minutes(1)))
struct ProbeLoopTests {
    @Test("a sleep on the system clock ends at its deadline, and a worker on the probe loop wakes on the loop's thread")
    func sleepStaysOnTheLoop() async throws {
        let clock = SystemProbeClock()
        let started = clock.now
        let onLoop = try await OnTheLoop().sleep(clock, for: .milliseconds(50))
        #expect(clock.now - started >= .milliseconds(50))
        #expect(onLoop == [true, true])
    }

    @Test("a sleep whose deadline has passed returns without waiting for the loop, which may be busy")
    func pastDeadline() async throws {
        let clock = SystemProbeClock()
        let release = Mutex(false)
        // The loop is held until the sleep returned: a sleep that needed a timer would never return.
        ProbeLoop.shared.execute {
            while !release.withLock({ $0 }) { usleep(1000) }
        }
        defer { release.withLock { $0 = true } }
        try await clock.sleep(until: clock.now - .seconds(1))
        try await clock.sleep(until: clock.now)
    }

    @Test("a cancelled task's sleep throws CancellationError, even for a deadline that has passed")
    func cancelledPastDeadline() async {
        let clock = SystemProbeClock()
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: clock.now - .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test("an HTTP probe from a worker on the probe loop connects, reads and resumes on the loop's thread")
    func httpProbeStaysOnTheLoop() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let (outcome, onLoop) = await OnTheLoop().probe(NetworkHandlerRunner(executor: NoExec()), port: server.port)
        #expect(outcome == .success("HTTP probe succeeded with statuscode: 200"))
        #expect(onLoop == [true, true])
    }

    @Test("an HTTP probe asks the server to close the connection, as kubelet's prober, which keeps none alive")
    func connectionClose() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        _ = await NetworkHandlerRunner(executor: NoExec()).run(
            .httpGet(scheme: "http", host: "127.0.0.1", port: server.port, path: "/", headers: [:]),
            podIP: nil, containerID: "c1", timeout: .seconds(10))
        let request = try #require(server.requests.first)
        #expect(request.contains("\r\nConnection: close\r\n"))
        #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
    }
}
