import Foundation

/// kube-proxy's sync metrics, under kube-proxy's names, help texts and buckets, so that its
/// dashboards and alerts work on this agent unchanged.
///
/// The series carry no `ip_family` label (kube-proxy added it in 1.33): the agent proxies IPv4
/// only.
public struct ServiceProxyMetrics: Sendable {
    /// Names of the metrics, as kube-proxy exports them.
    public enum Name {
        public static let syncDuration = "kubeproxy_sync_proxy_rules_duration_seconds"
        public static let fullSyncDuration = "kubeproxy_sync_full_proxy_rules_duration_seconds"
        public static let partialSyncDuration = "kubeproxy_sync_partial_proxy_rules_duration_seconds"
        public static let lastSyncTimestamp = "kubeproxy_sync_proxy_rules_last_timestamp_seconds"
        public static let syncFailures = "kubeproxy_sync_proxy_rules_nftables_sync_failures_total"
        public static let networkProgrammingDuration = "kubeproxy_network_programming_duration_seconds"
    }

    /// kube-proxy's sync latency buckets: 1 ms doubling up to 16.384 s
    /// (`ExponentialBuckets(0.001, 2, 15)`).
    public static let syncBuckets = Buckets.exponential(start: 0.001, factor: 2, count: 15)

    /// kube-proxy's network programming buckets: 0, 0.25 s, 0.5 s, every second to 59 s, every
    /// 5 s to 115 s, every 30 s to 5 min.
    public static let networkProgrammingBuckets = Buckets.merged(
        Buckets.linear(start: 0.25, width: 0.25, count: 2), Buckets.linear(start: 1, width: 1, count: 59),
        Buckets.linear(start: 60, width: 5, count: 12), Buckets.linear(start: 120, width: 30, count: 7))

    private let syncDuration: HistogramMetric
    private let fullSyncDuration: HistogramMetric
    private let partialSyncDuration: HistogramMetric
    private let lastSyncTimestamp: GaugeMetric
    private let syncFailures: CounterMetric
    private let networkProgrammingDuration: HistogramMetric

    /// Registers the metrics (or finds them, when registered before with the same definitions).
    /// - Parameter registry: where they are exported.
    /// - Throws: ``MetricsRegistryError/conflictingDefinition(name:registered:requested:)`` when
    ///   one of kube-proxy's names is registered as something else.
    public init(registry: MetricsRegistry) throws(MetricsRegistryError) {
        syncDuration = try registry.histogram(
            Name.syncDuration, help: "SyncProxyRules latency in seconds", buckets: Self.syncBuckets)
        fullSyncDuration = try registry.histogram(
            Name.fullSyncDuration, help: "SyncProxyRules latency in seconds for full resyncs", buckets: Self.syncBuckets)
        partialSyncDuration = try registry.histogram(
            Name.partialSyncDuration, help: "SyncProxyRules latency in seconds for partial resyncs", buckets: Self.syncBuckets)
        lastSyncTimestamp = try registry.gauge(
            Name.lastSyncTimestamp, help: "The last time proxy rules were successfully synced")
        syncFailures = try registry.counter(Name.syncFailures, help: "Cumulative proxy nftables sync failures")
        networkProgrammingDuration = try registry.histogram(
            Name.networkProgrammingDuration, help: "In Cluster Network Programming Latency in seconds",
            buckets: Self.networkProgrammingBuckets)
    }

    /// Records a successful sync: its duration in the overall histogram and in the full or
    /// partial one (an unchanged sync only in the overall one, as it wrote nothing), and its end
    /// as the last sync time.
    /// - Parameters:
    ///   - kind: what the sync did.
    ///   - duration: how long it took, computing the ruleset included.
    ///   - time: when it ended.
    public func record(kind: ProxySyncKind, duration: Duration, at time: Date) {
        syncDuration.observe(duration)
        switch kind {
        case .full: fullSyncDuration.observe(duration)
        case .partial: partialSyncDuration.observe(duration)
        case .unchanged: break
        }
        lastSyncTimestamp.set(time.timeIntervalSince1970)
    }

    /// Counts a sync the kernel refused (kube-proxy's nftables sync failures). The last sync
    /// time stays that of the last success, so an alert on its age fires while syncs fail.
    public func recordFailure() {
        syncFailures.increment()
    }

    /// Records how long a change to a service or its endpoints took to reach the kernel.
    /// A change that appears to come after the sync (clocks of master and node disagree) is
    /// dropped rather than counted as 0.
    /// - Parameters:
    ///   - changedAt: when the change happened (kube-proxy: the endpoints' last change trigger time).
    ///   - programmedAt: when the sync that carried it ended.
    public func recordNetworkProgramming(changedAt: Date, programmedAt: Date) {
        let latency = programmedAt.timeIntervalSince(changedAt)
        guard latency >= 0 else { return }
        networkProgrammingDuration.observe(latency)
    }
}
