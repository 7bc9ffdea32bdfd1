/// The wait between retries of something that failed: `initial`, doubling after each wait up to
/// `maximum`, each wait multiplied by a random factor from `jitter` (so that many agents a master
/// outage stopped together do not come back in step); ``reset()`` after a success.
///
/// The agent's one exponential back-off for retries (watches, the Docker engine's events, the
/// master's answers, etcd, the proxy's syncs). Crash-loop and image-pull back-offs are kubelet's
/// keyed `flowcontrol.Backoff`, PodRuntime's `BackOff`.
public struct RetryBackOff: Sendable, Equatable {
    public let initial: Duration
    public let maximum: Duration
    public let jitter: ClosedRange<Double>
    /// The wait the next ``next()`` returns, before jitter.
    public private(set) var current: Duration

    public init(initial: Duration, maximum: Duration, jitter: ClosedRange<Double> = 1...1) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.jitter = jitter
        self.current = initial
    }

    /// The wait before the next attempt; the one after it is twice as long, up to the maximum.
    public mutating func next() -> Duration {
        let wait = current * Double.random(in: jitter)
        current = min(current * 2, maximum)
        return wait
    }

    /// Starts again from `initial` (after a success).
    public mutating func reset() { current = initial }
}
