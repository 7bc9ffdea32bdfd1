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
    private let totals: LabelledSeries<CounterMetric>
    private let durations: LabelledSeries<HistogramMetric>
    /// The series keys of each pod, by UID.
    private let keysByPod = Mutex<[String: (totals: Set<String>, durations: Set<String>)]>([:])

    /// - Parameter registry: a registry of its own, served at `/metrics/probes`.
    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        // The label values travel in one key; a unit separator never occurs in Kubernetes names.
        totals = LabelledSeries { key in
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            return try? registry.counter(
                Name.probeTotal, help: "Cumulative number of a liveness, readiness or startup probe for a container by result.",
                labels: [
                    "probe_type": parts[0], "result": parts[1], "container": parts[2], "pod": parts[3], "namespace": parts[4],
                    "pod_uid": parts[5],
                ])
        }
        durations = LabelledSeries { key in
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            return try? registry.histogram(
                Name.probeDuration, help: "Duration in seconds for a probe response.", buckets: Self.durationBuckets,
                labels: ["probe_type": parts[0], "container": parts[1], "pod": parts[2], "namespace": parts[3]])
        }
    }

    /// One probe run.
    /// - Parameters:
    ///   - probeType: `Liveness`, `Readiness` or `Startup` (kubelet's capitalised values).
    ///   - result: `successful`, `failed` or `unknown`.
    public func recordProbe(
        probeType: String, result: String, container: String, pod: String, namespace: String, podUID: String, duration: Duration
    ) {
        let separator = "\u{1F}"
        let total = [probeType, result, container, pod, namespace, podUID].joined(separator: separator)
        let durationKey = [probeType, container, pod, namespace].joined(separator: separator)
        keysByPod.withLock {
            $0[podUID, default: ([], [])].totals.insert(total)
            $0[podUID, default: ([], [])].durations.insert(durationKey)
        }
        totals[total]?.increment()
        durations[durationKey]?.observe(duration)
    }

    /// Drops the series of a pod that is gone. (The duration series are by pod name: a new pod
    /// of the same name starts its histogram again.)
    public func forget(podUID: String) {
        guard let keys = keysByPod.withLock({ $0.removeValue(forKey: podUID) }) else { return }
        for counter in totals.remove(keys.totals) { registry.unregister(counter) }
        for histogram in durations.remove(keys.durations) { registry.unregister(histogram) }
    }

    /// `GET /metrics/probes`.
    public func exposition() async -> (contentType: String, body: [UInt8]) {
        (MetricsRegistry.contentType, registry.exposition())
    }
}
