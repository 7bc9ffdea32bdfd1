import AgentWatchdog
import Synchronization

/// Asks one of the agent's loops how it is, in a task of its own, so that the watchdog never
/// waits on a loop: a question left unanswered makes the loop late by the time it has waited.
final class LivenessProbe: Sendable {
    /// What a loop answers: how late it is by its own account, and a problem to report in
    /// STATUS= that is not the loop's death (a pod sync stuck in a Docker call).
    struct Answer: Sendable {
        var lateness: Duration = .zero
        var problem: String?
    }

    let loop: AgentLoop
    private let ask: @Sendable () async -> Answer
    private let state = Mutex<(asking: ContinuousClock.Instant?, answer: Answer)>((nil, Answer()))

    init(_ loop: AgentLoop, ask: @escaping @Sendable () async -> Answer) {
        self.loop = loop
        self.ask = ask
    }

    /// Asks every `interval` until cancelled.
    func run(every interval: Duration) async {
        while !Task.isCancelled {
            state.withLock { $0.asking = .now }
            let answer = await ask()
            state.withLock { $0 = (nil, answer) }
            try? await Task.sleep(for: interval)
        }
    }

    /// The loop's lateness now: the longer of an unanswered question's wait and its own account.
    func lateness(now: ContinuousClock.Instant = .now) -> LoopLateness {
        let (asking, answer) = state.withLock { $0 }
        return LoopLateness(loop, overdue: max(Lateness.probe(startedAt: asking, now: now), answer.lateness))
    }

    var problem: String? { state.withLock { $0.answer.problem } }
}
