import Foundation

/// Wall-clock time for lease expiry and renewal (etcd's TTLs are wall-clock), behind a protocol
/// so tests step it by hand instead of sleeping.
public protocol LeaseClock: Sendable {
    var now: Date { get }
    /// Suspends until `now` reaches `deadline`; throws CancellationError when cancelled.
    func sleep(until deadline: Date) async throws
}

/// The real clock.
public struct SystemLeaseClock: LeaseClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}
