import Synchronization

/// Wakes one waiting pod worker early: a signal before the wait is remembered, so none is lost.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            state.timer?.cancel()
            state.timer = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at `deadline` or at the first signal, whichever comes first.
    func wait(until deadline: ContinuousClock.Instant) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> Int? in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.waiter = continuation
                state.generation += 1
                return state.generation
            }
            guard let generation else {
                continuation.resume()
                return
            }
            let timer = Task { [self] in
                // Without a tolerance the dispatch timer behind the sleep may fire up to a tenth
                // of the wait late (a second on a 10 s back-off); a back-off must end on time.
                try? await Task.sleep(until: deadline, tolerance: .milliseconds(5), clock: .continuous)
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    guard state.generation == generation, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    state.timer = nil
                    return waiter
                }
                waiter?.resume()
            }
            // A signal that came in between is handled by the timer finding no waiter.
            state.withLock { state in
                if state.generation == generation, state.waiter != nil { state.timer = timer } else { timer.cancel() }
            }
        }
    }
}
