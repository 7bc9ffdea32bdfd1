/// kubelet's `syncloop` health check for per-pod workers: unhealthy while some pod's sync has
/// run longer than the limit (a Docker call that never returns, a stuck volume), which a sync
/// loop that simply has nothing to do never is.
public enum SyncLoopHealth {
    /// kubelet's threshold: twice the resync interval, at least five minutes.
    public static func limit(resyncInterval: Duration) -> Duration {
        max(resyncInterval * 2, .seconds(300))
    }

    /// - Parameter inFlight: when each running sync started, by pod UID.
    /// - Returns: what is wrong, naming the pod whose sync runs longest; nil when healthy.
    public static func problem(
        inFlight: [String: ContinuousClock.Instant], now: ContinuousClock.Instant, limit: Duration
    ) -> String? {
        guard let (uid, started) = inFlight.min(by: { $0.value < $1.value }), now - started > limit else { return nil }
        let seconds = Int((now - started).components.seconds)
        return "the sync of pod \(uid) has run for \(seconds) s (limit \(Int(limit.components.seconds)) s)"
    }
}
