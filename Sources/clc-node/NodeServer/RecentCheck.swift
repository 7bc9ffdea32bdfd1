import Synchronization

/// A health check whose outcome is reused for a short while: `/healthz` under load must not turn
/// every request into a call to the Docker engine (kubelet's own checks read state it keeps).
final class RecentCheck: Sendable {
    private let check: @Sendable () async throws -> Void
    private let maximumAge: Duration
    private let last = Mutex<(at: ContinuousClock.Instant, error: String?)?>(nil)

    init(maximumAge: Duration = .seconds(2), _ check: @escaping @Sendable () async throws -> Void) {
        self.check = check
        self.maximumAge = maximumAge
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    func run() async throws {
        let now = ContinuousClock.now
        if let recent = last.withLock({ $0 }), now - recent.at < maximumAge {
            if let error = recent.error { throw Failed(description: error) }
            return
        }
        var failure: String?
        do {
            try await check()
        } catch {
            failure = "\(error)"
        }
        last.withLock { $0 = (now, failure) }
        if let failure { throw Failed(description: failure) }
    }
}
