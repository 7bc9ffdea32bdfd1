import AgentTime
import Foundation

/// Time for lease expiry and renewal, behind a protocol so tests step it by hand instead of
/// sleeping.
public protocol LeaseClock: Sendable {
    var now: Date { get }
    /// Suspends until `now` reaches `deadline`; throws CancellationError when cancelled.
    func sleep(until deadline: Date) async throws
}

/// The real clock: the agent's ``SteadyClock``. etcd counts a TTL from when it got the request,
/// and the registries compute the expiration as the steady clock plus the TTL, so a step of the
/// system clock neither makes the lease look expired (and taken back) nor delays its renewal.
public struct SystemLeaseClock: LeaseClock {
    public init() {}
    public var now: Date { SteadyClock.process.now }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}
