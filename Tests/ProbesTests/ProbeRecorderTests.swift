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

@Suite("Probe runs reported to a recorder", .timeLimit(.minutes(1)))
struct ProbeRecorderTests {
    @Test("every run is reported with its kind, result, pod, namespace, container and duration on the probe clock")
    func reportsEveryRun() async throws {
        let clock = ManualProbeClock()
        let runner = ScriptedRunner(clock: clock)
        let handler = Handler.exec(command: ["ready"])
        runner.script("c1", handler, [true, false])
        let recorded = RecordedRuns()
        let manager = ProbeManager(
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
        await eventually("the first run is reported") { recorded.all.count == 1 }
        clock.advance(by: .seconds(10))
        await eventually("the second run is reported") { recorded.all.count == 2 }
        await manager.stopAll()

        #expect(recorded.all.map(\.succeeded) == [true, false])
        let first = try #require(recorded.all.first)
        #expect(first.kind == .readiness)
        #expect([first.podUID, first.podName, first.podNamespace, first.containerName] == ["uid-1", "web", "shop", "app"])
        #expect(first.duration >= .zero)
    }

    @Test("a removed pod is forgotten by the recorder, and its stopped workers report nothing after")
    func forgetsARemovedPod() async throws {
        let clock = ManualProbeClock()
        let runner = ScriptedRunner(clock: clock)
        let handler = Handler.exec(command: ["ready"])
        runner.script("c1", handler, [true, true, true])
        let recorded = RecordedRuns()
        let manager = ProbeManager(
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
        await eventually("the first run is reported") { recorded.all.count == 1 }
        await manager.remove(podUID: "uid-1")
        #expect(recorded.forgottenPods == ["uid-1"])
        clock.advance(by: .seconds(30))
        try await Task.sleep(for: .milliseconds(100))
        #expect(recorded.all.count == 1, "no run after the pod was removed")
    }
}
