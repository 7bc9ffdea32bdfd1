import Foundation
import Synchronization

/// When the lease-holding loop must act next (renew the lease, or retry an acquisition or
/// renewal), for the agent's watchdog: a deadline long past means the loop stopped, while a loop
/// whose etcd is down keeps re-arming its retry and is never late by more than a retry interval.
public final class LeaseLoopSchedule: Sendable {
    private let deadline = Mutex<Date?>(nil)

    public init() {}

    /// The armed deadline; nil before the lease is held and after the loop ended.
    public var next: Date? { deadline.withLock { $0 } }

    func arm(_ date: Date?) { deadline.withLock { $0 = date } }
}
