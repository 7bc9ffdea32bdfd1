import KubeAPI
import Probes
import Synchronization
import Testing

@testable import PodRuntime

/// Answers every handler with one outcome, and keeps what it was asked to run.
private final class OneOutcomeRunner: HandlerRunner {
    let outcome: ProbeOutcome
    private let runs = Mutex<[(handler: Handler, containerID: String, timeout: Duration)]>([])
    init(_ outcome: ProbeOutcome) { self.outcome = outcome }

    func run(_ handler: Handler, podIP: String?, containerID: String, timeout: Duration) async -> ProbeOutcome {
        runs.withLock { $0.append((handler, containerID, timeout)) }
        return outcome
    }

    var handlers: [Handler] { runs.withLock { $0.map(\.handler) } }
}

@Suite("A container's lifecycle hooks")
struct LifecycleHooksTests {
    private let pod = Pod(
        apiVersion: "v1", kind: "Pod", metadata: ObjectMeta(name: "web", namespace: "shop", uid: "uid-1"),
        spec: PodSpec(containers: [Container(name: "app", image: "redis")]))
    private let exec = LifecycleHandler(exec: ExecAction(command: ["sh", "-c", "ready"]))
    private let namedPort = LifecycleHandler(httpGet: HTTPGetAction(path: "/", port: .string("no-such-port")))

    @Test("a postStart hook that succeeds runs the resolved handler within the time and records nothing")
    func postStartSucceeds() async {
        let runner = OneOutcomeRunner(.success("ok"))
        let events = RecordingEventRecorder()
        let hooks = LifecycleHooks(handlers: runner, events: events)
        let failure = await hooks.postStart(exec, index: 0, pod: pod, containerID: "c1", podIP: "10.1.0.2", timeout: .seconds(30))
        #expect(failure == nil)
        #expect(runner.handlers == [.exec(command: ["sh", "-c", "ready"])])
        #expect(events.events.isEmpty)
    }

    @Test("a failing postStart hook gives its message and a FailedPostStartHook event")
    func postStartFails() async {
        let events = RecordingEventRecorder()
        let hooks = LifecycleHooks(handlers: OneOutcomeRunner(.failure("exited with 3")), events: events)
        let failure = await hooks.postStart(exec, index: 0, pod: pod, containerID: "c1", podIP: nil, timeout: .seconds(30))
        #expect(failure == "PostStartHook failed: exited with 3")
        #expect(events.events.map(\.reason) == ["FailedPostStartHook"])
        #expect(events.events.first?.container == "app")
    }

    @Test("a preStop hook naming a port the container lacks fails without running, with a FailedPreStopHook event naming the field")
    func preStopUnresolvable() async {
        let runner = OneOutcomeRunner(.success("ok"))
        let events = RecordingEventRecorder()
        await LifecycleHooks(handlers: runner, events: events)
            .preStop(namedPort, index: 0, pod: pod, containerID: "c1", podIP: "10.1.0.2", timeout: .seconds(30))
        #expect(runner.handlers.isEmpty)
        #expect(events.events.map(\.reason) == ["FailedPreStopHook"])
        #expect(events.events.first?.message.contains("spec.containers[0].lifecycle.preStop") == true, "\(events.events)")
    }
}
