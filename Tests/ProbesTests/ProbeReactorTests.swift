import GlobalPoolWatch
import Logging
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import Probes

/// Stands for the probe manager: an actor that runs on the probe reactor.
private actor OnTheReactor {
    nonisolated var unownedExecutor: UnownedSerialExecutor { ProbeReactor.shared.asUnownedSerialExecutor() }

    /// Whether each step ran on the reactor's thread: before a wait and after it.
    func sleep(_ clock: SystemProbeClock, for duration: Duration) async throws -> [Bool] {
        let before = ProbeReactor.shared.isCurrent
        try await clock.sleep(until: clock.now + duration)
        return [before, ProbeReactor.shared.isCurrent]
    }

    func probe(_ runner: NetworkHandlerRunner, port: Int) async -> (ProbeOutcome, [Bool]) {
        let before = ProbeReactor.shared.isCurrent
        let outcome = await runner.run(
            .httpGet(scheme: "http", host: "127.0.0.1", port: port, path: "/", headers: [:]),
            podIP: nil, containerID: "c1", timeout: .seconds(10))
        return (outcome, [before, ProbeReactor.shared.isCurrent])
    }
}

/// A reactor for one test alone, so that nothing of other tests runs on its thread.
private let reactorOfItsOwn = ProbeReactor(name: "clc-test-pool")

/// A probe worker on ``reactorOfItsOwn``.
private actor OnItsOwnReactor {
    nonisolated var unownedExecutor: UnownedSerialExecutor { reactorOfItsOwn.asUnownedSerialExecutor() }

    /// Sleeps three times and runs an HTTP probe, with the reactor's thread watched: answers the
    /// probe's outcome and how many jobs that thread gave Swift's global executor meanwhile (nil:
    /// the runtime's hook was taken).
    func sleepAndProbe(port: Int) async throws -> (ProbeOutcome, Int?) {
        let watch = global_pool_watch(pthread_self())
        guard watch >= 0 else { return (.failure("not watched"), nil) }
        let clock = SystemProbeClock(reactor: reactorOfItsOwn)
        for _ in 0..<3 { try await clock.sleep(until: clock.now + .milliseconds(5)) }
        let outcome = await NetworkHandlerRunner(executor: NoExec(), reactor: reactorOfItsOwn).run(
            .httpGet(scheme: "http", host: "127.0.0.1", port: port, path: "/", headers: [:]),
            podIP: nil, containerID: "c1", timeout: .seconds(10))
        return (outcome, global_pool_enqueues(watch))
    }
}

/// A reactor for the probe manager test alone.
private let managersReactor = ProbeReactor(name: "clc-test-manager")

/// Counts the runs it is told of.
private final class CountedRuns: ProbeRecorder {
    private let runs = Mutex<[Bool]>([])
    func record(_ run: ProbeRun) { runs.withLock { $0.append(run.succeeded) } }
    var all: [Bool] { runs.withLock { $0 } }
}

private struct NoExec: ContainerExecutor {
    func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String) { (0, "") }
}

/// A connected pair of Unix stream sockets, closed on deinit.
private final class SocketPair: Sendable {
    let ends: (CInt, CInt)

    init() throws {
        var fds: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue), 0, &fds) == 0 else {
            throw ReactorError(operation: "socketpair", code: errno)
        }
        ends = (fds[0], fds[1])
    }

    deinit {
        close(ends.0)
        close(ends.1)
    }
}

private let milliseconds: UInt64 = 1_000_000

@Suite("The probe reactor", .timeLimit(.minutes(1)))
struct ProbeReactorTests {
    @Test("a sleep on the system clock ends at its deadline, and a worker on the reactor wakes on the reactor's thread")
    func sleepStaysOnTheReactor() async throws {
        let clock = SystemProbeClock()
        let started = clock.now
        let onReactor = try await OnTheReactor().sleep(clock, for: .milliseconds(50))
        #expect(clock.now - started >= .milliseconds(50))
        #expect(onReactor == [true, true])
    }

    @Test("a sleep whose deadline has passed returns without waiting for the reactor, which may be busy")
    func pastDeadline() async throws {
        let clock = SystemProbeClock()
        let release = Mutex(false)
        // The reactor is held until the sleep returned: a sleep that needed it would never return.
        ProbeReactor.shared.execute {
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

    @Test("a sleep cancelled while it waits throws CancellationError at once, not at its deadline")
    func cancelledWhileWaiting() async {
        let clock = SystemProbeClock()
        let started = ContinuousClock.now
        let sleeper = Task { try await clock.sleep(until: clock.now + .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("an earlier deadline added while the reactor sleeps toward a later one wakes it in time")
    func earlierDeadlineWakesTheReactor() async throws {
        let clock = SystemProbeClock()
        let long = Task { try await clock.sleep(until: clock.now + .seconds(30)) }
        defer { long.cancel() }
        // Let the reactor go to sleep toward the 30 s deadline.
        try await Task.sleep(for: .milliseconds(50))
        let started = clock.now
        try await clock.sleep(until: started + .milliseconds(100))
        let slept = clock.now - started
        #expect(slept >= .milliseconds(100))
        #expect(slept < .seconds(10), "the short sleep waited for the long one: \(slept)")
    }

    @Test(
        "durations become deadline nanoseconds, negative ones none and huge ones saturated",
        arguments: [
            (Duration.milliseconds(1500), UInt64(1_500_000_000)), (.nanoseconds(7), 7), (.seconds(-3), 0),
            (.seconds(Int64.max), .max), (.zero, 0),
        ])
    func nanoseconds(_ duration: Duration, _ expected: UInt64) {
        #expect(ProbeReactor.nanoseconds(duration) == expected)
    }

    @Test(
        "a deadline is its start plus the duration, saturated rather than wrapped near the end of time",
        arguments: [
            (UInt64(1_000), Duration.nanoseconds(500), UInt64(1_500)), (UInt64.max - 10, .nanoseconds(11), .max),
            (UInt64(5), .seconds(Int64.max), .max), (UInt64(42), .seconds(-1), 42),
        ])
    func deadline(_ start: UInt64, _ duration: Duration, _ expected: UInt64) {
        #expect(ProbeReactor.deadline(from: start, after: duration) == expected)
    }

    @Test("a sleep toward a deadline past the end of time can still be cancelled")
    func endlessSleep() async {
        let clock = SystemProbeClock()
        let sleeper = Task { try await clock.sleep(until: .seconds(Int64.max)) }
        try? await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test("an actor on the reactor can assume its isolation from a closure the reactor runs")
    func assumeIsolated() async {
        let actor = OnTheReactor()
        let ran: Bool = await withCheckedContinuation { continuation in
            ProbeReactor.shared.execute {
                actor.assumeIsolated { _ in continuation.resume(returning: true) }
            }
        }
        #expect(ran)
    }

    @Test("a socket wait ends when the socket becomes readable, with the events that said so")
    func readable() async throws {
        let pair = try SocketPair()
        let reactor = ProbeReactor.shared
        let waiting = Task {
            var socket: ProbeReactor.PolledSocket? = ProbeReactor.PolledSocket(fd: pair.ends.0)
            return try await reactor.wait(for: &socket, events: ProbeReactor.readable, until: ProbeReactor.now() + 30_000 * milliseconds)
        }
        try await Task.sleep(for: .milliseconds(20))
        var byte: UInt8 = 1
        #expect(write(pair.ends.1, &byte, 1) == 1)
        let wake = try await waiting.value
        guard case let .ready(events) = wake else {
            Issue.record("expected the socket to be ready, got \(wake)")
            return
        }
        #expect(events & ProbeReactor.readable != 0)
    }

    @Test("a socket wait that nothing answers ends at its deadline, and the socket can be waited on again")
    func socketDeadline() async throws {
        let pair = try SocketPair()
        var socket: ProbeReactor.PolledSocket? = ProbeReactor.PolledSocket(fd: pair.ends.0)
        let started = ProbeReactor.now()
        let first = try await ProbeReactor.shared.wait(for: &socket, events: ProbeReactor.readable, until: started + 50 * milliseconds)
        #expect(first == .deadline)
        #expect(ProbeReactor.now() - started >= 50 * milliseconds)
        var byte: UInt8 = 1
        #expect(write(pair.ends.1, &byte, 1) == 1)
        let second = try await ProbeReactor.shared.wait(for: &socket, events: ProbeReactor.readable, until: ProbeReactor.now() + 30_000 * milliseconds)
        #expect(second != .deadline)
    }

    @Test("an HTTP probe from a worker on the reactor connects, reads and resumes on the reactor's thread")
    func httpProbeStaysOnTheReactor() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let (outcome, onReactor) = await OnTheReactor().probe(NetworkHandlerRunner(executor: NoExec()), port: server.port)
        #expect(outcome == .success("HTTP probe succeeded with statuscode: 200"))
        #expect(onReactor == [true, true])
    }

    @Test("a worker on the reactor that prefers it as task executor sleeps and probes without handing a job to Swift's global pool")
    func noHopsToTheGlobalPool() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let (outcome, enqueues) = try await Task(executorPreference: reactorOfItsOwn) {
            try await OnItsOwnReactor().sleepAndProbe(port: server.port)
        }.value
        #expect(outcome == .success("HTTP probe succeeded with statuscode: 200"))
        #expect(enqueues == 0)
    }

    @Test("the probe manager's workers time, run and record their probes without handing a job to Swift's global pool")
    func managerWorkersStayOffTheGlobalPool() async throws {
        let server = try StubServer(reply: .status(200))
        defer { server.stop() }
        let recorded = CountedRuns()
        let manager = ProbeManager(
            runner: NetworkHandlerRunner(executor: NoExec(), reactor: managersReactor), clock: SystemProbeClock(reactor: managersReactor),
            logger: Logger(label: "ProbesTests", factory: { _ in SwiftLogNoOpLogHandler() }), onChange: { _ in }, onFailure: { _ in },
            recorder: recorded, reactor: managersReactor)
        let probe = ProbeSettings(
            kind: .liveness, handler: .httpGet(scheme: "http", host: "127.0.0.1", port: server.port, path: "/", headers: [:]),
            initialDelay: .zero, period: .milliseconds(20), timeout: .seconds(5), successThreshold: 1, failureThreshold: 3)
        await manager.sync(
            podUID: "uid-1",
            targets: [
                ProbeTarget(
                    podUID: "uid-1", podName: "web", containerName: "app", containerID: "c1", podIP: nil, startedAgo: .zero,
                    probes: [probe], podNamespace: "shop")
            ])
        // Watched from the reactor's thread once the worker is under way; the test's own calls
        // into the manager (which return to the pool) come before and after.
        await eventually("the worker has probed") { recorded.all.count >= 1 }
        let watching = Mutex<Int32?>(nil)
        managersReactor.execute { watching.withLock { $0 = global_pool_watch(pthread_self()) } }
        await eventually("the watch is on") { watching.withLock { $0 } != nil }
        let watchedFrom = recorded.all.count
        await eventually("five more runs") { recorded.all.count >= watchedFrom + 5 }
        let watch = try #require(watching.withLock { $0 })
        let enqueues = global_pool_enqueues(watch)
        await manager.stopAll()
        try #require(watch >= 0, "the runtime's enqueue hook was free")
        #expect(recorded.all.allSatisfy { $0 }, "every run succeeded")
        #expect(enqueues == 0)
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
