/// Monotonic time for probe workers, behind a protocol so tests can step it by hand.
public protocol ProbeClock: Sendable {
    /// Time since the clock's origin.
    var now: Duration { get }
    /// Suspends until `now` reaches `deadline` (or the task is cancelled).
    func sleep(until deadline: Duration) async throws
}

/// The real clock.
public struct SystemProbeClock: ProbeClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: origin + deadline, clock: .continuous)
    }
}
