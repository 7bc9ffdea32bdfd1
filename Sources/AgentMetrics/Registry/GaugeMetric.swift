import Prometheus

/// A registered gauge (see ``MetricsRegistry/gauge(_:help:labels:)``).
public struct GaugeMetric: Sendable {
    private let base: Gauge

    init(_ base: Gauge) {
        self.base = base
    }

    public func set(_ value: Double) {
        base.set(to: value)
    }

    public func increment(by amount: Double = 1) {
        base.increment(by: amount)
    }

    public func decrement(by amount: Double = 1) {
        base.decrement(by: amount)
    }
}
