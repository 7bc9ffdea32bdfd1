import Logging
import Synchronization
import Testing

@testable import Probes

/// Keeps every run it is told of.
private final class RecordedRuns: ProbeRecorder {
    private let runs = Mutex<[ProbeRun]>([])
    private let forgotten = Mutex<[String]>([])
    func record(_ run: ProbeRun) { runs.withLock { $0.append(run) } }
    func forget(podUID: String) { forgotten.withLock { $0.append(podUID) } }
    var all: [ProbeRun] { runs.withLock { $0 } }
    var forgottenPods: [String] { forgotten.withLock { $0 } }
}

/// A probe manager with a readiness probe of container c1 of pod shop/web (uid-1) scripted to
/// `outcomes`, every 10 s on a manual clock, reporting to a `RecordedRuns`.
private struct RecordingProbes {
    let clock = ManualProbeClock()
    let recorded = RecordedRuns()
    let manager: ProbeManager

    init(outcomes: [Bool]) async {
        let runner = ScriptedRunner(clock: clock)
        let handler = Handler.exec(command: ["ready"])
        runner.script("c1", handler, outcomes)
        manager = ProbeManager(
            runner: runner, clock: clock, logger: Logger(label: "ProbesTests", factory: { _ in SwiftLogNoOpLogHandler() }),
            onChange: { _ in }, onFailure: { _ in }, recorder: recorded)
        let settings = ProbeSettings(
            kind: .readiness, handler: handler, initialDelay: .zero, period: .seconds(10), timeout: .seconds(1), successThreshold: 1,
            failureThreshold: 3)
        await manager.sync(
            podUID: "uid-1",
            targets: [
                ProbeTarget(
                    podUID: "uid-1", podName: "web", containerName: "app", containerID: "c1", podIP: "10.1.2.3", startedAgo: .zero,
                    probes: [settings], podNamespace: "shop")
            ])
    }
}

@Suite("Probe runs reported to a recorder", .timeLimit(.minutes(1)))
struct ProbeRecorderTests {
    @Test("every run is reported with its kind, result, pod, namespace, container and duration on the probe clock")
    func reportsEveryRun() async throws {
        let probes = await RecordingProbes(outcomes: [true, false])
        let recorded = probes.recorded
        await eventually("the first run is reported") { recorded.all.count == 1 }
        probes.clock.advance(by: .seconds(10))
        await eventually("the second run is reported") { recorded.all.count == 2 }
        await probes.manager.stopAll()

        #expect(recorded.all.map(\.succeeded) == [true, false])
        let first = try #require(recorded.all.first)
        #expect(first.kind == .readiness)
        #expect([first.podUID, first.podName, first.podNamespace, first.containerName] == ["uid-1", "web", "shop", "app"])
        #expect(first.duration >= .zero)
    }

    @Test("a removed pod is forgotten by the recorder, and its stopped workers report nothing after")
    func forgetsARemovedPod() async throws {
        let probes = await RecordingProbes(outcomes: [true, true, true])
        let recorded = probes.recorded
        await eventually("the first run is reported") { recorded.all.count == 1 }
        await probes.manager.remove(podUID: "uid-1")
        #expect(recorded.forgottenPods == ["uid-1"])
        // A cancelled worker leaves the clock at once, and one about to sleep is refused: with
        // nobody waiting on the clock, no run can follow whatever the time.
        #expect(probes.clock.pendingDeadlines.isEmpty, "no worker of the removed pod waits for a next run")
        probes.clock.advance(by: .seconds(30))
        #expect(recorded.all.count == 1, "no run after the pod was removed")
    }
}
