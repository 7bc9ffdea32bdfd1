import Foundation

/// kubelet's own metrics (`/metrics`; pkg/kubelet/metrics/metrics.go), under kubelet's names and
/// buckets, plus the process's `process_*` series and the agent's build info. The pod manager
/// and the Docker engine report through recorder protocols of their own modules; the agent's
/// wiring adapts them to these methods, so that those modules need no metrics library.
///
/// Give it a registry of its own (not kube-proxy's, which is served on 127.0.0.1:10249): kubelet
/// and kube-proxy are separate scrape targets.
public final class KubeletMetrics: Sendable {
    public enum Name {
        public static let runningPods = "kubelet_running_pods"
        public static let runningContainers = "kubelet_running_containers"
        public static let podStartDuration = "kubelet_pod_start_duration_seconds"
        public static let podWorkerDuration = "kubelet_pod_worker_duration_seconds"
        public static let runtimeOperations = "kubelet_runtime_operations_total"
        public static let runtimeOperationErrors = "kubelet_runtime_operations_errors_total"
        public static let runtimeOperationDuration = "kubelet_runtime_operations_duration_seconds"
        public static let nodeName = "kubelet_node_name"
        public static let buildInfo = "clc_node_build_info"
    }

    /// Prometheus's default buckets (5 ms to 10 s), kubelet's for pod worker syncs.
    public static let defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// kubelet's pod start buckets: 0.5 s to an hour.
    public static let podStartBuckets: [Double] = [
        0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600,
    ]
    /// kubelet's runtime operation buckets: `ExponentialBuckets(.005, 2.5, 14)`.
    public static let runtimeBuckets = Buckets.exponential(start: 0.005, factor: 2.5, count: 14)

    public let registry: MetricsRegistry
    private let runningPods: GaugeMetric
    private let runningContainers: LabelledSeries<GaugeMetric>
    private let podStartDuration: HistogramMetric
    private let podWorkerDuration: LabelledSeries<HistogramMetric>
    private let runtimeOperations: LabelledSeries<CounterMetric>
    private let runtimeOperationErrors: LabelledSeries<CounterMetric>
    private let runtimeOperationDuration: LabelledSeries<HistogramMetric>
    private let process: ProcessMetrics

    /// Registers the metrics.
    /// - Parameters:
    ///   - registry: where they are exported (the node server's `/metrics`).
    ///   - nodeName: `kubelet_node_name{node}`.
    ///   - version: `clc_node_build_info{version}`.
    /// - Throws: ``MetricsRegistryError`` when one of the names is registered as something else.
    public init(registry: MetricsRegistry, nodeName: String, version: String, process: ProcessMetrics = ProcessMetrics())
        throws(MetricsRegistryError)
    {
        self.registry = registry
        self.process = process
        runningPods = try registry.gauge(Name.runningPods, help: "Number of pods that have a running pod sandbox")
        podStartDuration = try registry.histogram(
            Name.podStartDuration, help: "Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run",
            buckets: Self.podStartBuckets)
        try registry.gauge(Name.nodeName, help: "The node's name. The count is always 1.", labels: ["node": nodeName]).set(1)
        try registry.gauge(Name.buildInfo, help: "The clc-node build: its version. The value is always 1.", labels: ["version": version])
            .set(1)
        // Register each labelled name once now, so that a conflict shows at start, not on first use.
        _ = try registry.gauge(Name.runningContainers, help: Self.runningContainersHelp, labels: ["container_state": "running"])
        _ = try registry.histogram(
            Name.podWorkerDuration, help: Self.podWorkerHelp, buckets: Self.defaultBuckets, labels: ["operation_type": "sync"])
        _ = try registry.counter(Name.runtimeOperations, help: Self.runtimeOperationsHelp, labels: ["operation_type": "version"])
        _ = try registry.counter(Name.runtimeOperationErrors, help: Self.runtimeErrorsHelp, labels: ["operation_type": "version"])
        _ = try registry.histogram(
            Name.runtimeOperationDuration, help: Self.runtimeDurationHelp, buckets: Self.runtimeBuckets, labels: ["operation_type": "version"])

        runningContainers = LabelledSeries { state in
            try? registry.gauge(Name.runningContainers, help: Self.runningContainersHelp, labels: ["container_state": state])
        }
        podWorkerDuration = LabelledSeries { operation in
            try? registry.histogram(
                Name.podWorkerDuration, help: Self.podWorkerHelp, buckets: Self.defaultBuckets, labels: ["operation_type": operation])
        }
        runtimeOperations = LabelledSeries { operation in
            try? registry.counter(Name.runtimeOperations, help: Self.runtimeOperationsHelp, labels: ["operation_type": operation])
        }
        runtimeOperationErrors = LabelledSeries { operation in
            try? registry.counter(Name.runtimeOperationErrors, help: Self.runtimeErrorsHelp, labels: ["operation_type": operation])
        }
        runtimeOperationDuration = LabelledSeries { operation in
            try? registry.histogram(
                Name.runtimeOperationDuration, help: Self.runtimeDurationHelp, buckets: Self.runtimeBuckets,
                labels: ["operation_type": operation])
        }
    }

    private static let runningContainersHelp = "Number of containers currently running"
    private static let podWorkerHelp = "Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync"
    private static let runtimeOperationsHelp = "Cumulative number of runtime operations by operation type."
    private static let runtimeErrorsHelp = "Cumulative number of runtime operation errors by operation type."
    private static let runtimeDurationHelp = "Duration in seconds of runtime operations. Broken down by operation type."

    /// One pod worker pass; `operation` is `create`, `update`, `sync` or `kill`.
    public func recordPodWorker(operation: String, duration: Duration) {
        podWorkerDuration[operation]?.observe(duration)
    }

    /// A pod ran for the first time, `latency` after the agent first saw it.
    public func recordPodStart(latency: Duration) {
        podStartDuration.observe(latency)
    }

    /// The node's pods with a running infra container, and its containers by state.
    public func setRunning(pods: Int, containers: [String: Int]) {
        runningPods.set(Double(pods))
        for (state, count) in containers { runningContainers[state]?.set(Double(count)) }
    }

    /// One call of the container runtime (the Docker engine).
    public func recordRuntimeOperation(_ operation: String, duration: Duration, failed: Bool) {
        runtimeOperations[operation]?.increment()
        runtimeOperationDuration[operation]?.observe(duration)
        if failed { runtimeOperationErrors[operation]?.increment() }
    }

    /// `GET /metrics`: the registry's series and the process's, read now.
    public func exposition() async -> (contentType: String, body: [UInt8]) {
        (MetricsRegistry.contentType, registry.exposition() + process.exposition())
    }
}
