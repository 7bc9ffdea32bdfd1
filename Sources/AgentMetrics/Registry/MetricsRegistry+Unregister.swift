extension MetricsRegistry {
    /// Drops a counter's series from the exposition (its subject is gone); one of the same
    /// name and labels asked for later starts again from zero.
    public func unregister(_ counter: CounterMetric) {
        collectors.unregisterCounter(counter.base)
    }

    /// Drops a histogram's series from the exposition, as ``unregister(_:)-(CounterMetric)``.
    public func unregister(_ histogram: HistogramMetric) {
        collectors.unregisterValueHistogram(histogram.base)
    }
}
