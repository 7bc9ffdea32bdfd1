import NIOCore
import Synchronization

/// Monotonic time for probe workers, behind a protocol so tests can step it by hand.
public protocol ProbeClock: Sendable {
    /// Time since the clock's origin.
    var now: Duration { get }
    /// Suspends until `now` reaches `deadline` (or the task is cancelled). Runs on the caller's
    /// executor, so a worker on the probe loop resumes there without a hop.
    nonisolated(nonsending) func sleep(until deadline: Duration) async throws
}

/// The real clock: monotonic time whose sleeps are timers of an event loop (by default the
/// probe loop, where the workers run, so a wake-up is a callback on the thread that goes on).
public struct SystemProbeClock: ProbeClock {
    private let origin = NIODeadline.now()
    private let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop = ProbeLoop.shared) {
        self.eventLoop = eventLoop
    }

    public var now: Duration { .nanoseconds((NIODeadline.now() - origin).nanoseconds) }

    public nonisolated(nonsending) func sleep(until deadline: Duration) async throws {
        // A deadline already passed needs no timer (as Task.sleep: a cancelled task still throws).
        if deadline <= now { return try Task.checkCancellation() }
        let wake = origin + TimeAmount(deadline)
        let sleeper = Sleeper()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                sleeper.start(continuation, on: eventLoop, at: wake)
            }
        } onCancel: {
            sleeper.cancel()
        }
    }
}

/// One sleep: its continuation is resumed exactly once, by the timer or by cancellation.
private final class Sleeper: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, any Error>, NIOScheduledCallback)
        case cancelled
        case done
    }

    private struct Wake: NIOScheduledCallbackHandler, Sendable {
        let sleeper: Sleeper
        func handleScheduledCallback(eventLoop: some EventLoop) { sleeper.finish(with: .success(())) }
        func didCancelScheduledCallback(eventLoop: some EventLoop) { sleeper.finish(with: .failure(CancellationError())) }
    }

    private let state = Mutex(State.idle)

    func start(_ continuation: CheckedContinuation<Void, any Error>, on eventLoop: any EventLoop, at deadline: NIODeadline) {
        do {
            let callback = try eventLoop.scheduleCallback(at: deadline, handler: Wake(sleeper: self))
            // The timer may have fired already (on the loop's thread, while this one was here),
            // or the task was cancelled before or since: each left the state other than idle.
            let late = state.withLock { state -> Result<Void, any Error>? in
                switch state {
                case .idle:
                    state = .waiting(continuation, callback)
                    return nil
                case .cancelled: return .failure(CancellationError())
                case .done, .waiting: return .success(())
                }
            }
            if let late {
                if case .failure = late { callback.cancel() }
                continuation.resume(with: late)
            }
        } catch {
            state.withLock { $0 = .done }
            continuation.resume(throwing: error)
        }
    }

    func cancel() {
        let callback = state.withLock { state -> NIOScheduledCallback? in
            switch state {
            case .idle:
                state = .cancelled
                return nil
            case let .waiting(_, callback): return callback
            case .cancelled, .done: return nil
            }
        }
        // Cancelling the timer calls didCancelScheduledCallback, which resumes the sleeper.
        callback?.cancel()
    }

    fileprivate func finish(with result: Result<Void, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            switch state {
            case let .waiting(continuation, _):
                state = .done
                return continuation
            case .idle:
                state = .done
                return nil
            case .cancelled, .done: return nil
            }
        }
        continuation?.resume(with: result)
    }
}
