import AgentTime
import Prometheus

/// A registered histogram (see ``MetricsRegistry/histogram(_:help:buckets:labels:)``).
public struct HistogramMetric: Sendable {
    let base: ValueHistogram

    init(_ base: ValueHistogram) {
        self.base = base
    }

    /// Counts one value in the histogram's unit; NaN is ignored (it would poison the sum).
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        base.record(value)
    }

    /// Counts one duration, in seconds.
    public func observe(_ duration: Duration) {
        observe(duration.seconds)
    }
}
