import Foundation

/// Lateness of each loop from what the loop exposes; pure, so the tests give the instants.
public enum Lateness {
    /// A probe of the pod manager: late by the time the probe in flight has waited for its
    /// answer; on time when none is waiting.
    public static func probe(startedAt: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> Duration {
        guard let startedAt, now > startedAt else { return .zero }
        return now - startedAt
    }

    /// The proxy's loop reports how long it has owed a sync (nil: nothing owed).
    public static func owed(_ owedFor: Duration?) -> Duration {
        max(owedFor ?? .zero, .zero)
    }

    /// The lease loop: late by the time since its armed deadline (renewal or retry) passed;
    /// on time before the deadline and while it holds no deadline (waiting for the config).
    public static func deadline(_ deadline: Date?, now: Date) -> Duration {
        guard let deadline, now > deadline else { return .zero }
        return .milliseconds(Int64(now.timeIntervalSince(deadline) * 1000))
    }
}
