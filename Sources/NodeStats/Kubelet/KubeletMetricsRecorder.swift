import AgentMetrics
import DockerEngine
import PodRuntime
import Probes

/// Adapts the pod manager's and the Docker engine's recorder protocols to ``KubeletMetrics``:
/// `PodManager(..., recorder: KubeletMetricsRecorder(metrics))` and
/// `InstrumentedDockerEngine(client, recorder: KubeletMetricsRecorder(metrics))`.
public struct KubeletMetricsRecorder: PodRuntimeRecorder, DockerOperationRecorder {
    public let metrics: KubeletMetrics

    public init(_ metrics: KubeletMetrics) {
        self.metrics = metrics
    }

    public func podWorkerFinished(_ operation: PodWorkerOperation, duration: Duration) {
        metrics.recordPodWorker(operation: operation.rawValue, duration: duration)
    }

    public func podStarted(latency: Duration) {
        metrics.recordPodStart(latency: latency)
    }

    public func running(pods: Int, containers: [String: Int]) {
        metrics.setRunning(pods: pods, containers: containers)
    }

    public func recordDockerOperation(_ operation: String, duration: Duration, failed: Bool) {
        metrics.recordRuntimeOperation(operation, duration: duration, failed: failed)
    }
}

/// Adapts the prober's recorder protocol to ``ProberMetrics``, with kubelet's label values:
/// `PodManager(..., probeRecorder: ProberMetricsRecorder(proberMetrics))`.
public struct ProberMetricsRecorder: ProbeRecorder {
    public let metrics: ProberMetrics

    public init(_ metrics: ProberMetrics) {
        self.metrics = metrics
    }

    public func record(_ run: ProbeRun) {
        let probeType =
            switch run.kind {
            case .liveness: "Liveness"
            case .readiness: "Readiness"
            case .startup: "Startup"
            }
        metrics.recordProbe(
            probeType: probeType, result: run.succeeded ? "successful" : "failed", container: run.containerName, pod: run.podName,
            namespace: run.podNamespace, podUID: run.podUID, duration: run.duration)
    }

    public func forget(podUID: String) {
        metrics.forget(podUID: podUID)
    }
}
