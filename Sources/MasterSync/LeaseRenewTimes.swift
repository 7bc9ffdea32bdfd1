import Foundation

/// The node Lease's `renewTime`s, which never go back.
///
/// kube-controller-manager counts a Lease as renewed only when its renewTime moves forward. Were
/// renewTime the wall clock, a step of the system clock back by an hour would make every renewal
/// for the next hour look stale. So each renewTime is the wall clock, or, when that is behind,
/// the previous renewTime plus the monotonic time since it (the ``SteadyClock``).
struct LeaseRenewTimes: Sendable {
    private var last: (renewTime: Date, steady: Date)?

    /// The renewTime of a renewal at `wall` (the system clock) and `steady` (the steady clock).
    mutating func next(wall: Date, steady: Date) -> Date {
        var renewTime = wall
        if let last {
            renewTime = max(wall, last.renewTime.addingTimeInterval(max(0, steady.timeIntervalSince(last.steady))))
        }
        last = (renewTime, steady)
        return renewTime
    }
}
