import AgentMetrics
import Foundation
import Testing

@Suite("kube-proxy's sync metrics")
struct ServiceProxyMetricsTests {
    private let registry = MetricsRegistry()
    private let metrics: ServiceProxyMetrics

    init() throws {
        metrics = try ServiceProxyMetrics(registry: registry)
    }

    /// The value of one sample line, e.g. `value("x_bucket{le=\"0.016\"}")`.
    private func value(_ series: String) -> String? {
        registry.text().split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
    }

    @Test("every metric is exported under kube-proxy's name, help and type before the first sync")
    func namesHelpAndTypes() {
        let text = registry.text()
        let expected = [
            ("kubeproxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds", "histogram"),
            ("kubeproxy_sync_full_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for full resyncs", "histogram"),
            ("kubeproxy_sync_partial_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for partial resyncs", "histogram"),
            ("kubeproxy_sync_proxy_rules_last_timestamp_seconds", "The last time proxy rules were successfully synced", "gauge"),
            ("kubeproxy_sync_proxy_rules_nftables_sync_failures_total", "Cumulative proxy nftables sync failures", "counter"),
            ("kubeproxy_network_programming_duration_seconds", "In Cluster Network Programming Latency in seconds", "histogram"),
        ]
        for (name, help, type) in expected {
            #expect(text.contains("# HELP \(name) \(help)\n"))
            #expect(text.contains("# TYPE \(name) \(type)\n"))
        }
        #expect(value("kubeproxy_sync_proxy_rules_duration_seconds_count") == "0")
        #expect(value("kubeproxy_sync_proxy_rules_nftables_sync_failures_total") == "0")
    }

    @Test("the sync histograms have kube-proxy's buckets: 1 ms doubling to 16.384 s")
    func syncBuckets() {
        #expect(ServiceProxyMetrics.syncBuckets == [
            0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384,
        ])
        #expect(value(#"kubeproxy_sync_full_proxy_rules_duration_seconds_bucket{le="16.384"}"#) == "0")
    }

    @Test("the network programming histogram has kube-proxy's 81 buckets, from 0 to 5 minutes")
    func networkProgrammingBuckets() {
        let buckets = ServiceProxyMetrics.networkProgrammingBuckets
        #expect(buckets.count == 81)
        #expect(Array(buckets.prefix(5)) == [0, 0.25, 0.5, 1, 2])
        #expect(Array(buckets[60...63]) == [58, 59, 60, 65])
        #expect(Array(buckets.suffix(8)) == [115, 120, 150, 180, 210, 240, 270, 300])
    }

    @Test("a full sync of 12 ms lands in the overall and full histograms and sets the last sync time")
    func fullSync() {
        metrics.record(kind: .full, duration: .milliseconds(12), at: Date(timeIntervalSince1970: 1_700_000_000.5))

        for name in ["kubeproxy_sync_proxy_rules_duration_seconds", "kubeproxy_sync_full_proxy_rules_duration_seconds"] {
            #expect(value(name + #"_bucket{le="0.008"}"#) == "0")
            #expect(value(name + #"_bucket{le="0.016"}"#) == "1")
            #expect(value(name + "_sum") == "0.012")
            #expect(value(name + "_count") == "1")
        }
        #expect(value("kubeproxy_sync_partial_proxy_rules_duration_seconds_count") == "0")
        #expect(value("kubeproxy_sync_proxy_rules_last_timestamp_seconds") == "1700000000.5")
    }

    @Test("a partial sync counts in the partial histogram and not in the full one")
    func partialSync() {
        metrics.record(kind: .partial, duration: .microseconds(800), at: Date(timeIntervalSince1970: 10))

        #expect(value(#"kubeproxy_sync_partial_proxy_rules_duration_seconds_bucket{le="0.001"}"#) == "1")
        #expect(value("kubeproxy_sync_full_proxy_rules_duration_seconds_count") == "0")
        #expect(value("kubeproxy_sync_proxy_rules_duration_seconds_count") == "1")
    }

    @Test("an unchanged sync counts only in the overall histogram, and is a successful sync")
    func unchangedSync() {
        metrics.record(kind: .unchanged, duration: .milliseconds(3), at: Date(timeIntervalSince1970: 20))

        #expect(value("kubeproxy_sync_proxy_rules_duration_seconds_count") == "1")
        #expect(value("kubeproxy_sync_full_proxy_rules_duration_seconds_count") == "0")
        #expect(value("kubeproxy_sync_partial_proxy_rules_duration_seconds_count") == "0")
        #expect(value("kubeproxy_sync_proxy_rules_last_timestamp_seconds") == "20.0")
    }

    @Test("each failure counts once and leaves the last successful sync time alone")
    func failures() {
        metrics.record(kind: .full, duration: .milliseconds(5), at: Date(timeIntervalSince1970: 30))
        metrics.recordFailure()
        metrics.recordFailure()

        #expect(value("kubeproxy_sync_proxy_rules_nftables_sync_failures_total") == "2")
        #expect(value("kubeproxy_sync_proxy_rules_last_timestamp_seconds") == "30.0")
    }

    @Test("a change 2.3 s before its sync lands in the 3 s network programming bucket; one from the future is dropped")
    func networkProgramming() {
        let synced = Date(timeIntervalSince1970: 1_000)
        metrics.recordNetworkProgramming(changedAt: synced.addingTimeInterval(-2.3), programmedAt: synced)
        metrics.recordNetworkProgramming(changedAt: synced.addingTimeInterval(1), programmedAt: synced)

        #expect(value(#"kubeproxy_network_programming_duration_seconds_bucket{le="2.0"}"#) == "0")
        #expect(value(#"kubeproxy_network_programming_duration_seconds_bucket{le="3.0"}"#) == "1")
        #expect(value("kubeproxy_network_programming_duration_seconds_count") == "1")
    }

    @Test("a second ServiceProxyMetrics on the same registry records into the same series")
    func sharedRegistry() throws {
        let again = try ServiceProxyMetrics(registry: registry)
        metrics.recordFailure()
        again.recordFailure()

        #expect(value("kubeproxy_sync_proxy_rules_nftables_sync_failures_total") == "2")
    }

    @Test("the sync kinds carry the raw values of ServiceProxy's RulesetSync.Kind")
    func kindRawValues() {
        #expect(ProxySyncKind.allCases.map(\.rawValue) == ["full", "partial", "unchanged"])
    }
}
