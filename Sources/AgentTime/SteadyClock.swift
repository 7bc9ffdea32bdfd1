import Foundation

/// Dates for durations and deadlines that a step of the wall clock does not move.
///
/// A `SteadyClock` reads the wall clock once, when it is made, and from then on advances with
/// the monotonic clock: an hour's step of the system time (an NTP correction, an operator's
/// `date -s`) changes `Date()` but not `now`, so a back-off, a retry time or a lease renewal
/// computed from it keeps its length. Timestamps that others read (a status's
/// `lastTransitionTime`, an event's time) stay on the wall clock; only the agent's own waits
/// use this one.
///
/// The agent uses one, ``process``, made when it is first read (at start-up).
public struct SteadyClock: Sendable {
    private let wallOrigin: Date
    private let origin: ContinuousClock.Instant

    /// Starts at `wall`, at the monotonic instant `origin`.
    public init(wall: Date = Date(), origin: ContinuousClock.Instant = .now) {
        self.wallOrigin = wall
        self.origin = origin
    }

    /// The process's clock, anchored to the wall clock when first read.
    public static let process = SteadyClock()

    /// The wall-clock time at the origin plus the monotonic time since.
    public var now: Date { date(at: .now) }

    /// The date of a monotonic instant on this clock.
    public func date(at instant: ContinuousClock.Instant) -> Date {
        wallOrigin.addingTimeInterval((instant - origin).seconds)
    }
}
