import Logging
import Synchronization
import Testing

@testable import Probes

private let live = Handler.exec(command: ["live"])
private let ready = Handler.exec(command: ["ready"])
private let start = Handler.exec(command: ["start"])

/// What the manager reported through its callbacks.
private final class Reports: Sendable {
    private let changed = Mutex<[String]>([])
    private let failed = Mutex<[ProbeEvent]>([])

    func change(_ podUID: String) { changed.withLock { $0.append(podUID) } }
    func fail(_ event: ProbeEvent) { failed.withLock { $0.append(event) } }

    var changes: [String] { changed.withLock { $0 } }
    var failures: [ProbeEvent] { failed.withLock { $0 } }
}

/// A ``ProbeManager`` over the manual clock and the scripted runner. Times in tests are seconds
/// after the clock's start.
private struct Harness {
    let clock = ManualProbeClock()
    let runner: ScriptedRunner
    let reports = Reports()
    let manager: ProbeManager
    let origin: Duration

    init() {
        origin = clock.now
        runner = ScriptedRunner(clock: clock)
        let reports = reports
        manager = ProbeManager(
            runner: runner, clock: clock, logger: Logger(label: "ProbesTests", factory: { _ in SwiftLogNoOpLogHandler() }),
            onChange: { reports.change($0) }, onFailure: { reports.fail($0) })
    }

    func at(_ seconds: Int) -> Duration { origin + .seconds(seconds) }

    func advance(to seconds: Int) { clock.advance(by: at(seconds) - clock.now) }

    /// When the given seconds are the deadlines of the sleeping workers, each worker has finished
    /// its last run (result recorded, onChange awaited) and waits for the next.
    func waitForSleepers(_ seconds: [Int], sourceLocation: SourceLocation = #_sourceLocation) async {
        let expected = seconds.map(at).sorted()
        await eventually("workers sleep until \(seconds) s (now \(clock.pendingDeadlines))", sourceLocation: sourceLocation) {
            clock.pendingDeadlines == expected
        }
    }

    /// The run times of a handler, in seconds after the start.
    func runs(_ containerID: String, _ handler: Handler) -> [Int] {
        runner.times(containerID, handler).map { Int(($0 - origin).components.seconds) }
    }
}

private func probe(_ kind: ProbeKind, _ handler: Handler, delay: Int = 0, period: Int = 10, success: Int = 1, failure: Int = 3)
    -> ProbeSettings
{
    ProbeSettings(
        kind: kind, handler: handler, initialDelay: .seconds(delay), period: .seconds(period), timeout: .seconds(1),
        successThreshold: success, failureThreshold: failure)
}

private func target(_ containerID: String, pod: String = "pod-1", startedAgo: Int = 0, _ probes: ProbeSettings...) -> ProbeTarget {
    ProbeTarget(
        podUID: pod, podName: "web", containerName: "app", containerID: containerID, podIP: "10.1.2.3",
        startedAgo: .seconds(startedAgo), probes: probes)
}

@Suite("Probe manager with a manual clock and a scripted runner", .timeLimit(.minutes(1)))
struct ProbeManagerTests {
    @Test(
        "the first run waits initialDelay less the container's age, never less than nothing, then runs every period",
        arguments: [
            (delay: 0, startedAgo: 0, first: 0), (delay: 15, startedAgo: 5, first: 10), (delay: 15, startedAgo: 0, first: 15),
            (delay: 5, startedAgo: 20, first: 0), (delay: 30, startedAgo: 30, first: 0),
        ])
    func schedule(delay: Int, startedAgo: Int, first: Int) async {
        let harness = Harness()
        await harness.manager.sync(
            podUID: "pod-1", targets: [target("c1", startedAgo: startedAgo, probe(.readiness, ready, delay: delay))])
        let runs = [first, first + 10, first + 20]
        for second in 0...runs.last! {
            if second > 0 { harness.clock.advance(by: .seconds(1)) }
            await harness.waitForSleepers([runs.first { $0 > second } ?? runs.last! + 10])
            #expect(harness.runs("c1", ready) == runs.filter { $0 <= second }, "at \(second) s")
        }
    }

    @Test("a liveness probe failing three times in a row makes the container unhealthy, reports it once and stops")
    func livenessFailure() async {
        let harness = Harness()
        harness.runner.script("c1", live, [false])
        await harness.manager.sync(podUID: "pod-1", targets: [target("c1", probe(.liveness, live))])
        // A healthy container in another pod keeps running, so every step has a worker to wait for.
        await harness.manager.sync(podUID: "pod-2", targets: [target("c2", pod: "pod-2", probe(.liveness, live))])

        await harness.waitForSleepers([10, 10])
        harness.advance(to: 10)
        await harness.waitForSleepers([20, 20])
        #expect(await harness.manager.unhealthy(podUID: "pod-1").isEmpty, "two failures are not enough")
        #expect(harness.reports.changes.isEmpty)

        harness.advance(to: 20)
        await eventually("the change is published") { harness.reports.changes == ["pod-1"] }
        await harness.waitForSleepers([30])
        #expect(await harness.manager.unhealthy(podUID: "pod-1") == ["c1"])
        #expect(await harness.manager.unhealthy(podUID: "pod-2").isEmpty)

        for second in [30, 40, 50] {
            harness.advance(to: second)
            await harness.waitForSleepers([second + 10])
        }
        #expect(harness.runs("c1", live) == [0, 10, 20], "no runs after the container failed")
        #expect(harness.runs("c2", live) == [0, 10, 20, 30, 40, 50])
        #expect(harness.reports.changes == ["pod-1"])
        #expect(harness.reports.failures.map(\.message) == Array(repeating: "Liveness probe failed: probe output", count: 3))
        #expect(await harness.manager.unhealthy(podUID: "pod-1") == ["c1"], "it stays unhealthy until it is replaced")
    }

    @Test("a sync answers with the pod's readiness after it, as readiness(podUID:) does")
    func syncAnswersReadiness() async {
        let harness = Harness()
        harness.runner.script("c1", ready, [true])
        let first = await harness.manager.sync(podUID: "pod-1", targets: [target("c1", probe(.readiness, ready, delay: 10))])
        #expect(first == ["c1": false], "not ready before a result")
        await harness.waitForSleepers([10])
        harness.advance(to: 10)
        await harness.waitForSleepers([20])
        let again = await harness.manager.sync(podUID: "pod-1", targets: [target("c1", probe(.readiness, ready, delay: 10))])
        #expect(again == ["c1": true])
        #expect(await harness.manager.readiness(podUID: "pod-1") == again)
        #expect(await harness.manager.sync(podUID: "pod-1", targets: []) == [:], "a container no longer probed has no readiness")
    }

    @Test("readiness follows its probe through the thresholds and reports each change only")
    func readinessToggles() async {
        let harness = Harness()
        harness.runner.script("c1", ready, [true, true, false, false, true])
        await harness.manager.sync(podUID: "pod-1", targets: [target("c1", probe(.readiness, ready, delay: 10, failure: 2))])
        await harness.waitForSleepers([10])
        #expect(await harness.manager.readiness(podUID: "pod-1") == ["c1": false], "not ready before a result")

        let expected: [(ready: Bool, changes: Int)] = [(true, 1), (true, 1), (true, 1), (false, 2), (true, 3)]
        for (index, step) in expected.enumerated() {
            let second = 10 * (index + 1)
            harness.advance(to: second)
            await harness.waitForSleepers([second + 10])
            #expect(await harness.manager.readiness(podUID: "pod-1") == ["c1": step.ready], "after the run at \(second) s")
            #expect(harness.reports.changes == Array(repeating: "pod-1", count: step.changes), "after the run at \(second) s")
        }
        #expect(harness.reports.failures.count == 2)
        let call = harness.runner.calls("c1", ready).first
        #expect(call?.podIP == "10.1.2.3")
        #expect(call?.timeout == .seconds(1))
    }

    @Test("a startup probe holds back liveness and readiness until it succeeds, then stops")
    func startupGates() async {
        let harness = Harness()
        harness.runner.script("c1", start, [false, false, true])
        harness.runner.script("c1", live, [true])
        harness.runner.script("c1", ready, [true])
        // Startup runs at 0, 10, 20; the other two at 5, 15, 25, ... so no tick races another.
        await harness.manager.sync(
            podUID: "pod-1",
            targets: [
                target(
                    "c1", probe(.startup, start, failure: 5), probe(.liveness, live, delay: 5), probe(.readiness, ready, delay: 5))
            ])
        await harness.waitForSleepers([5, 5, 10])
        for (second, sleepers) in [(5, [10, 15, 15]), (10, [15, 15, 20]), (15, [20, 25, 25])] {
            harness.advance(to: second)
            await harness.waitForSleepers(sleepers)
            #expect(harness.runs("c1", live).isEmpty && harness.runs("c1", ready).isEmpty, "held back at \(second) s")
            #expect(await harness.manager.readiness(podUID: "pod-1") == ["c1": false])
            #expect(await harness.manager.unhealthy(podUID: "pod-1").isEmpty)
        }

        harness.advance(to: 20)
        await eventually("startup's success is published") { harness.reports.changes == ["pod-1"] }
        await harness.waitForSleepers([25, 25])
        #expect(await harness.manager.readiness(podUID: "pod-1") == ["c1": false], "started, but readiness has not run yet")

        harness.advance(to: 25)
        await harness.waitForSleepers([35, 35])
        #expect(await harness.manager.readiness(podUID: "pod-1") == ["c1": true])
        harness.advance(to: 35)
        await harness.waitForSleepers([45, 45])
        #expect(harness.runs("c1", start) == [0, 10, 20], "the startup worker stopped after its success")
        #expect(harness.runs("c1", live) == [25, 35])
        #expect(harness.runs("c1", ready) == [25, 35])
        #expect(harness.reports.changes == ["pod-1", "pod-1"])
        #expect(await harness.manager.unhealthy(podUID: "pod-1").isEmpty)
    }

    @Test("a startup probe failing failureThreshold times makes the container unhealthy; liveness never runs")
    func startupFailure() async {
        let harness = Harness()
        harness.runner.script("c1", start, [false])
        await harness.manager.sync(
            podUID: "pod-1", targets: [target("c1", probe(.startup, start, failure: 2), probe(.liveness, live))])
        await harness.waitForSleepers([10, 10])
        harness.advance(to: 10)
        await eventually("startup's failure is published") { harness.reports.changes == ["pod-1"] }
        await harness.waitForSleepers([20])
        #expect(await harness.manager.unhealthy(podUID: "pod-1") == ["c1"])
        harness.advance(to: 20)
        await harness.waitForSleepers([30])
        #expect(harness.runs("c1", start) == [0, 10])
        #expect(harness.runs("c1", live).isEmpty)
    }

    @Test("sync without a container cancels its workers and forgets its results; other pods keep theirs")
    func containerGone() async {
        let harness = Harness()
        harness.runner.script("a1", live, [false])
        let a1 = target("a1", pod: "pod-a", probe(.liveness, live, failure: 1), probe(.readiness, ready))
        await harness.manager.sync(podUID: "pod-a", targets: [a1])
        await harness.manager.sync(podUID: "pod-b", targets: [target("b1", pod: "pod-b", probe(.readiness, ready))])
        await eventually("a1 is unhealthy and ready, b1 ready") {
            let unhealthy = await harness.manager.unhealthy(podUID: "pod-a")
            let readyA = await harness.manager.readiness(podUID: "pod-a")
            let readyB = await harness.manager.readiness(podUID: "pod-b")
            return unhealthy == ["a1"] && readyA == ["a1": true] && readyB == ["b1": true]
        }
        await harness.waitForSleepers([10, 10])  // a1's liveness stopped; its readiness and b1's wait

        await harness.manager.sync(podUID: "pod-a", targets: [a1])
        harness.advance(to: 10)
        await harness.waitForSleepers([20, 20])
        #expect(harness.runs("a1", ready) == [0, 10], "syncing the same container again starts no second worker")

        await harness.manager.sync(podUID: "pod-a", targets: [])
        await harness.waitForSleepers([20])
        #expect(await harness.manager.unhealthy(podUID: "pod-a").isEmpty)
        #expect(await harness.manager.readiness(podUID: "pod-a").isEmpty)
        #expect(await harness.manager.readiness(podUID: "pod-b") == ["b1": true])

        harness.advance(to: 20)
        await harness.waitForSleepers([30])
        #expect(harness.runs("a1", ready) == [0, 10], "a cancelled worker runs no more")
        #expect(harness.runs("b1", ready) == [0, 10, 20])

        // The replacement container gets workers of its own, scheduled from its start.
        await harness.manager.sync(podUID: "pod-a", targets: [target("a2", pod: "pod-a", probe(.readiness, ready))])
        await harness.waitForSleepers([30, 30])
        #expect(await harness.manager.readiness(podUID: "pod-a") == ["a2": true])
        #expect(harness.runs("a2", ready) == [20])

        await harness.manager.remove(podUID: "pod-b")
        await harness.waitForSleepers([30])
        #expect(await harness.manager.readiness(podUID: "pod-b").isEmpty)
        await harness.manager.stopAll()
        await harness.waitForSleepers([])
    }

    @Test("a container removed and synced back starts again from no results")
    func syncedBack() async {
        let harness = Harness()
        harness.runner.script("c1", live, [false])
        let c1 = target("c1", probe(.liveness, live, failure: 1), probe(.readiness, ready))
        await harness.manager.sync(podUID: "pod-1", targets: [c1])
        await harness.waitForSleepers([10])
        #expect(await harness.manager.unhealthy(podUID: "pod-1") == ["c1"])
        #expect(await harness.manager.readiness(podUID: "pod-1") == ["c1": true])

        await harness.manager.sync(podUID: "pod-1", targets: [])
        await harness.waitForSleepers([])
        let delayed = target("c1", probe(.liveness, live, delay: 30, failure: 1), probe(.readiness, ready, delay: 30))
        await harness.manager.sync(podUID: "pod-1", targets: [delayed])
        await harness.waitForSleepers([30, 30])
        #expect(await harness.manager.unhealthy(podUID: "pod-1").isEmpty, "no result of the earlier workers survives")
        #expect(await harness.manager.readiness(podUID: "pod-1") == ["c1": false])
    }

    @Test(
        "every failed run is reported with the probe's kind and output",
        arguments: [(ProbeKind.liveness, "Liveness"), (.readiness, "Readiness"), (.startup, "Startup")])
    func failureEvents(_ kind: ProbeKind, _ title: String) async {
        let harness = Harness()
        let handler = Handler.httpGet(scheme: "http", host: nil, port: 80, path: "/healthz", headers: [:])
        harness.runner.script(
            "c1", handler,
            [.failure("HTTP probe failed with statuscode: 500"), .failure("HTTP probe failed with statuscode: 503"), .success("")])
        await harness.manager.sync(podUID: "pod-1", targets: [target("c1", probe(kind, handler))])
        await harness.waitForSleepers([10])
        harness.advance(to: 10)
        await harness.waitForSleepers([20])
        harness.advance(to: 20)
        if kind == .liveness {
            await harness.waitForSleepers([30])
        } else {
            await eventually("the success is published") { harness.reports.changes == ["pod-1"] }
            await harness.waitForSleepers(kind == .startup ? [] : [30])
        }
        #expect(
            harness.reports.failures == [500, 503].map {
                ProbeEvent(
                    podUID: "pod-1", containerName: "app", containerID: "c1", kind: kind,
                    message: "\(title) probe failed: HTTP probe failed with statuscode: \($0)")
            })
    }

    @Test("timing stats count the runs, report no lateness on a manual clock and reset when taken")
    func timingStats() async {
        let harness = Harness()
        await harness.manager.sync(podUID: "pod-1", targets: [target("c1", probe(.readiness, ready, delay: 10))])
        await harness.waitForSleepers([10])
        for second in [10, 20, 30, 40] {
            harness.advance(to: second)
            await harness.waitForSleepers([second + 10])
        }
        let stats = await harness.manager.takeTimingStats()
        #expect(stats.count == 4)
        #expect(stats.percentile(50) == .zero)
        #expect(stats.percentile(100) == .zero)
        #expect(await harness.manager.takeTimingStats().count == 0)
    }
}
