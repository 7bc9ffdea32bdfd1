
/// Monotonic time for probe workers, behind a protocol so tests can step it by hand.
public protocol ProbeClock: Sendable {
    /// Time since the clock's origin.
    var now: Duration { get }
    /// Suspends until `now` reaches `deadline` (or the task is cancelled). Runs on the caller's
    /// executor, so a worker on the probe loop resumes there without a hop.
    nonisolated(nonsending) func sleep(until deadline: Duration) async throws
}

/// The real clock: monotonic time whose sleeps are deadlines of the probe reactor, where the
/// workers run, so a wake-up goes on on the thread that woke it.
public struct SystemProbeClock: ProbeClock {
    private let origin = ProbeReactor.now()
    private let reactor: ProbeReactor

    public init(reactor: ProbeReactor = .shared) {
        self.reactor = reactor
    }

    public var now: Duration { .nanoseconds(ProbeReactor.now() - origin) }

    public nonisolated(nonsending) func sleep(until deadline: Duration) async throws {
        // A deadline already passed needs no wait (as Task.sleep: a cancelled task still throws).
        var noSocket: ProbeReactor.PolledSocket?
        _ = try await reactor.wait(for: &noSocket, until: ProbeReactor.deadline(from: origin, after: deadline))
    }
}
