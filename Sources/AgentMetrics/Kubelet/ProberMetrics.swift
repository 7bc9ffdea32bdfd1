import Synchronization

/// kubelet's `/metrics/probes` (pkg/kubelet/prober): `prober_probe_total` by probe type, result
/// and container, and `prober_probe_duration_seconds`. The series of a pod go when it goes
/// (``forget(podUID:)``), as in kubelet since 1.25: before, every deleted pod left its series
/// behind, and the agent's memory grew with each (the soak, bench/soak.sh).
public final class ProberMetrics: Sendable {
    public enum Name {
        public static let probeTotal = "prober_probe_total"
        public static let probeDuration = "prober_probe_duration_seconds"
    }

    /// Probe durations: 1 ms doubling up to about 16 s.
    public static let durationBuckets = Buckets.exponential(start: 0.001, factor: 2, count: 15)

    public let registry: MetricsRegistry
    private let series = Mutex(Series())

    /// The label values of a `prober_probe_total` series.
    private struct TotalKey: Hashable {
        var probeType, result, container, pod, namespace, podUID: String
    }

    /// The label values of a `prober_probe_duration_seconds` series (by pod name, not UID).
    private struct DurationKey: Hashable {
        var probeType, container, pod, namespace: String
    }

    private struct Series {
        var totals: [TotalKey: CounterMetric] = [:]
        var durations: [DurationKey: HistogramMetric] = [:]
        /// The series keys of each pod, by UID.
        var keysByPod: [String: (totals: Set<TotalKey>, durations: Set<DurationKey>)] = [:]
    }

    /// - Parameter registry: a registry of its own, served at `/metrics/probes`.
    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
    }

    /// One probe run. A run whose series exist costs one lock and two lookups, with nothing
    /// allocated: a node with 100 probed pods records 100 runs a second.
    /// - Parameters:
    ///   - probeType: `Liveness`, `Readiness` or `Startup` (kubelet's capitalised values).
    ///   - result: `successful`, `failed` or `unknown`.
    public func recordProbe(
        probeType: String, result: String, container: String, pod: String, namespace: String, podUID: String, duration: Duration
    ) {
        let total = TotalKey(probeType: probeType, result: result, container: container, pod: pod, namespace: namespace, podUID: podUID)
        let durationKey = DurationKey(probeType: probeType, container: container, pod: pod, namespace: namespace)
        let (counter, histogram) = series.withLock { series in
            if series.totals[total] == nil {
                series.totals[total] = try? registry.counter(
                    Name.probeTotal, help: "Cumulative number of a liveness, readiness or startup probe for a container by result.",
                    labels: [
                        "probe_type": probeType, "result": result, "container": container, "pod": pod, "namespace": namespace,
                        "pod_uid": podUID,
                    ])
                // The pod's first run of this type and result: it names both of its series.
                series.keysByPod[podUID, default: ([], [])].totals.insert(total)
                series.keysByPod[podUID, default: ([], [])].durations.insert(durationKey)
            }
            if series.durations[durationKey] == nil {
                series.durations[durationKey] = try? registry.histogram(
                    Name.probeDuration, help: "Duration in seconds for a probe response.", buckets: Self.durationBuckets,
                    labels: ["probe_type": probeType, "container": container, "pod": pod, "namespace": namespace])
                series.keysByPod[podUID, default: ([], [])].durations.insert(durationKey)
            }
            return (series.totals[total], series.durations[durationKey])
        }
        counter?.increment()
        histogram?.observe(duration)
    }

    /// Drops the series of a pod that is gone. (The duration series are by pod name: a new pod
    /// of the same name starts its histogram again.)
    public func forget(podUID: String) {
        let gone = series.withLock { series -> (totals: [CounterMetric], durations: [HistogramMetric]) in
            guard let keys = series.keysByPod.removeValue(forKey: podUID) else { return ([], []) }
            return (
                keys.totals.compactMap { series.totals.removeValue(forKey: $0) },
                keys.durations.compactMap { series.durations.removeValue(forKey: $0) }
            )
        }
        for counter in gone.totals { registry.unregister(counter) }
        for histogram in gone.durations { registry.unregister(histogram) }
    }

    /// `GET /metrics/probes`.
    public func exposition() async -> (contentType: String, body: [UInt8]) {
        (MetricsRegistry.contentType, registry.exposition())
    }
}
