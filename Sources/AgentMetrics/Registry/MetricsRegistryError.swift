/// A metric the registry cannot hold; each case names the metric.
public enum MetricsRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name is not `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    case invalidName(String)
    /// A label name is not `[a-zA-Z_][a-zA-Z0-9_]*`, starts with the reserved `__`, or is `le`.
    case invalidLabelName(metric: String, label: String)
    /// Histogram bounds that are empty, not finite or not strictly increasing.
    case invalidBuckets(name: String, reason: String)
    /// The name is registered already with another type, help text, label names or buckets.
    case conflictingDefinition(name: String, registered: String, requested: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "metric name \"\(name)\" is not a Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*)"
        case .invalidLabelName(let metric, let label):
            "metric \(metric): label name \"\(label)\" is not a Prometheus label name, or is reserved"
        case .invalidBuckets(let name, let reason):
            "metric \(name): invalid histogram buckets: \(reason)"
        case .conflictingDefinition(let name, let registered, let requested):
            "metric \(name) is registered as \(registered) and cannot be registered as \(requested)"
        }
    }
}
