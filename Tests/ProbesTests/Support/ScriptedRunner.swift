import Probes
import Synchronization

/// A ``HandlerRunner`` that answers each (container, handler) from a script and records every
/// call with the clock's time. When a script runs out its last outcome repeats; an unscripted
/// handler succeeds.
final class ScriptedRunner: HandlerRunner {
    struct Call: Sendable, Hashable {
        var containerID: String
        var handler: Handler
        var podIP: String?
        var timeout: Duration
        var at: Duration
    }

    private struct Key: Hashable {
        var containerID: String
        var handler: Handler
    }

    private struct State {
        var scripts: [Key: [ProbeOutcome]] = [:]
        var calls: [Call] = []
    }

    private let clock: any ProbeClock
    private let state = Mutex(State())

    init(clock: any ProbeClock) {
        self.clock = clock
    }

    func script(_ containerID: String, _ handler: Handler, _ outcomes: [ProbeOutcome]) {
        state.withLock { $0.scripts[Key(containerID: containerID, handler: handler)] = outcomes }
    }

    /// `true` is `.success("ok")`, `false` is `.failure("probe output")`.
    func script(_ containerID: String, _ handler: Handler, _ outcomes: [Bool]) {
        script(containerID, handler, outcomes.map { $0 ? .success("ok") : .failure("probe output") })
    }

    func calls(_ containerID: String, _ handler: Handler) -> [Call] {
        state.withLock { $0.calls.filter { $0.containerID == containerID && $0.handler == handler } }
    }

    /// When each run of the handler happened.
    func times(_ containerID: String, _ handler: Handler) -> [Duration] {
        calls(containerID, handler).map(\.at)
    }

    func run(_ handler: Handler, podIP: String?, containerID: String, timeout: Duration) async -> ProbeOutcome {
        let now = clock.now
        return state.withLock { state in
            state.calls.append(Call(containerID: containerID, handler: handler, podIP: podIP, timeout: timeout, at: now))
            let key = Key(containerID: containerID, handler: handler)
            guard var script = state.scripts[key], let next = script.first else { return .success("ok") }
            if script.count > 1 {
                script.removeFirst()
                state.scripts[key] = script
            }
            return next
        }
    }
}
