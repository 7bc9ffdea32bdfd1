import Prometheus

/// A registered counter (see ``MetricsRegistry/counter(_:help:labels:)``).
public struct CounterMetric: Sendable {
    let base: Counter

    init(_ base: Counter) {
        self.base = base
    }

    /// Adds `amount`; a negative amount is ignored (a counter never goes down, and the library
    /// would stop the process).
    public func increment(by amount: Int = 1) {
        guard amount > 0 else { return }
        base.increment(by: Int64(amount))
    }
}
