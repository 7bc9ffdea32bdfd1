import AgentTime

/// A token bucket: `qps` requests a second on average, bursts of up to `burst` (kubelet's
/// kube-api-qps and kube-api-burst).
public actor RateLimiter {
    private let qps: Double
    private let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    public init(qps: Double, burst: Int) {
        self.qps = max(qps, 0.001)
        self.burst = Double(max(burst, 1))
        self.tokens = Double(max(burst, 1))
        self.last = .now
    }

    /// Waits until a request may go.
    public func acquire() async {
        refill()
        tokens -= 1
        if tokens < 0 {
            let wait = -tokens / qps
            try? await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
        }
    }

    private func refill() {
        let now = ContinuousClock.now
        let elapsed = now - last
        last = now
        tokens = min(burst, tokens + elapsed.seconds * qps)
    }
}
