import Prometheus
import Synchronization

/// The agent's metrics, rendered in the Prometheus text format for `GET /metrics`.
///
/// A thin layer over swift-prometheus's collector registry that keeps that library out of the
/// modules that record metrics, and turns what the library would stop the process for (a name
/// registered twice with another type, help text, label names or buckets) into a thrown
/// ``MetricsRegistryError``. Asking again for a metric with the same definition returns the one
/// already registered, so two components may share a metric.
public final class MetricsRegistry: Sendable {
    /// The content type of ``exposition()``: Prometheus text format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let collectors = PrometheusCollectorRegistry()
    private let definitions = Mutex<[String: MetricDefinition]>([:])

    public init() {}

    /// A counter: a total that only goes up (`…_total`).
    /// - Parameters:
    ///   - name: the metric's full name, e.g. `kubeproxy_sync_proxy_rules_nftables_sync_failures_total`.
    ///   - help: the `# HELP` text.
    ///   - labels: the series' labels; every series of one name must use the same label names.
    /// - Throws: ``MetricsRegistryError`` when the name or a label is invalid, or the name is
    ///   already registered with another definition.
    public func counter(_ name: String, help: String, labels: [String: String] = [:]) throws(MetricsRegistryError)
        -> CounterMetric
    {
        let labels = try Self.validated(name: name, labels: labels)
        return try register(MetricDefinition(name: name, type: .counter, help: help, labelNames: labels.map(\.0))) {
            CounterMetric($0.makeCounter(descriptor: Self.descriptor(name, help), labels: labels))
        }
    }

    /// A gauge: a value that goes up and down, or is set (a timestamp, a queue length).
    /// - Parameters:
    ///   - name: the metric's full name, e.g. `kubeproxy_sync_proxy_rules_last_timestamp_seconds`.
    ///   - help: the `# HELP` text.
    ///   - labels: the series' labels; every series of one name must use the same label names.
    /// - Throws: ``MetricsRegistryError`` as for ``counter(_:help:labels:)``.
    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) throws(MetricsRegistryError)
        -> GaugeMetric
    {
        let labels = try Self.validated(name: name, labels: labels)
        return try register(MetricDefinition(name: name, type: .gauge, help: help, labelNames: labels.map(\.0))) {
            GaugeMetric($0.makeGauge(descriptor: Self.descriptor(name, help), labels: labels))
        }
    }

    /// A histogram of values in the metric's unit (seconds for durations, as Prometheus wants).
    /// - Parameters:
    ///   - name: the metric's full name, e.g. `kubeproxy_sync_proxy_rules_duration_seconds`.
    ///   - help: the `# HELP` text.
    ///   - buckets: the upper bounds, strictly increasing and finite (`+Inf` is implied); see
    ///     ``Buckets``.
    ///   - labels: the series' labels; every series of one name must use the same label names.
    /// - Throws: ``MetricsRegistryError`` as for ``counter(_:help:labels:)``, and
    ///   ``MetricsRegistryError/invalidBuckets(name:reason:)``.
    public func histogram(_ name: String, help: String, buckets: [Double], labels: [String: String] = [:])
        throws(MetricsRegistryError) -> HistogramMetric
    {
        let labels = try Self.validated(name: name, labels: labels)
        if let reason = Self.problem(with: buckets) { throw .invalidBuckets(name: name, reason: reason) }
        let definition = MetricDefinition(
            name: name, type: .histogram, help: help, labelNames: labels.map(\.0), buckets: buckets)
        return try register(definition) {
            HistogramMetric($0.makeValueHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: buckets))
        }
    }

    /// Every registered metric in the Prometheus text format (version 0.0.4), as UTF-8 bytes.
    public func exposition() -> [UInt8] {
        collectors.emitToBuffer()
    }

    /// ``exposition()`` as a string, for logs and tests.
    public func text() -> String {
        String(decoding: exposition(), as: UTF8.self)
    }

    // The check and the creation happen under one lock, so two callers racing to register the
    // same name cannot both pass the check with different definitions.
    private func register<Metric>(
        _ definition: MetricDefinition, make: (PrometheusCollectorRegistry) -> Metric
    ) throws(MetricsRegistryError) -> Metric {
        try definitions.withLock { (known: inout [String: MetricDefinition]) throws(MetricsRegistryError) -> Metric in
            if let existing = known[definition.name], existing != definition {
                throw .conflictingDefinition(name: definition.name, registered: existing.summary, requested: definition.summary)
            }
            known[definition.name] = definition
            return make(collectors)
        }
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        // The whole name goes in `metricName`: the registry joins the non-empty parts with `_`.
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Checks the names and returns the labels sorted by name, so that one series is one key
    /// whatever order a caller's dictionary yields.
    private static func validated(name: String, labels: [String: String]) throws(MetricsRegistryError) -> [(String, String)] {
        guard isValidName(name, colons: true) else { throw .invalidName(name) }
        for label in labels.keys where !isValidName(label, colons: false) || label.hasPrefix("__") || label == "le" {
            throw .invalidLabelName(metric: name, label: label)
        }
        return labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Prometheus names: `[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics, without colons for labels.
    private static func isValidName(_ name: String, colons: Bool) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"):
                true
            case UInt8(ascii: ":"): colons
            default: false
            }
        }
    }

    private static func problem(with buckets: [Double]) -> String? {
        if buckets.isEmpty { return "no buckets" }
        if let bad = buckets.first(where: { !$0.isFinite }) { return "bound \(bad) is not finite" }
        for (lower, upper) in zip(buckets, buckets.dropFirst()) where lower >= upper {
            return "bounds must increase, but \(upper) follows \(lower)"
        }
        return nil
    }
}
