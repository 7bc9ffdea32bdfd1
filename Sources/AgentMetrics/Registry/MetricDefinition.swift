/// What a metric name was registered as; a second registration must match it exactly.
struct MetricDefinition: Sendable, Equatable {
    enum MetricType: String, Sendable {
        case counter, gauge, histogram
    }

    var name: String
    var type: MetricType
    var help: String
    var labelNames: [String]
    var buckets: [Double] = []

    /// For error messages: `histogram "SyncProxyRules latency in seconds" labels [] buckets 0.001…16.384 (15)`.
    var summary: String {
        var text = "\(type.rawValue) \"\(help)\" labels [\(labelNames.joined(separator: ", "))]"
        if type == .histogram, let first = buckets.first, let last = buckets.last {
            text += " buckets \(first)…\(last) (\(buckets.count))"
        }
        return text
    }
}
