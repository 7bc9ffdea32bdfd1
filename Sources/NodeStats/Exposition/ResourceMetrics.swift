import Foundation
import KubeAPI

/// kubelet's `/metrics/resource` (pkg/kubelet/metrics/collectors/resource_metrics.go): what
/// metrics-server and `kubectl top` read. Pod figures are the sums over the pod's containers, the
/// infra container included; containers are the pod's app containers.
public enum ResourceMetrics {
    public static let contentType = ExpositionWriter.contentType

    public static func render(_ snapshot: StatsSnapshot) -> [UInt8] {
        let summary = SummaryBuilder.summary(snapshot)
        var out = ExpositionWriter(capacity: 2048 + snapshot.containers.count * 600)
        // The summary's times have kubelet's second precision; so do kubelet's timestamps here.
        func ms(_ time: String) -> Int64? {
            KubeTime.parse(time).map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }
        }

        out.family("container_cpu_usage_seconds_total", "counter", help: "[ALPHA] Cumulative cpu time consumed by the container in core-seconds")
        for pod in summary.pods {
            for container in pod.containers {
                guard let cpu = container.cpu, let usage = cpu.usageCoreNanoSeconds else { continue }
                out.sample(
                    "container_cpu_usage_seconds_total", labels: labels(container.name, pod), Double(usage) / 1e9,
                    timestampMilliseconds: ms(cpu.time))
            }
        }
        out.family("container_memory_working_set_bytes", "gauge", help: "[ALPHA] Current working set of the container in bytes")
        for pod in summary.pods {
            for container in pod.containers {
                guard let memory = container.memory, let workingSet = memory.workingSetBytes else { continue }
                out.sample(
                    "container_memory_working_set_bytes", labels: labels(container.name, pod), Double(workingSet),
                    timestampMilliseconds: ms(memory.time))
            }
        }
        out.family("container_start_time_seconds", "gauge", help: "[ALPHA] Start time of the container since unix epoch in seconds")
        for pod in summary.pods {
            for container in pod.containers {
                guard let start = ms(container.startTime) else { continue }
                out.sample(
                    "container_start_time_seconds", labels: labels(container.name, pod), Double(start / 1000),
                    timestampMilliseconds: start)
            }
        }
        out.family("node_cpu_usage_seconds_total", "counter", help: "[ALPHA] Cumulative cpu time consumed by the node in core-seconds")
        if let cpu = summary.node.cpu, let usage = cpu.usageCoreNanoSeconds {
            out.sample("node_cpu_usage_seconds_total", Double(usage) / 1e9, timestampMilliseconds: ms(cpu.time))
        }
        out.family("node_memory_working_set_bytes", "gauge", help: "[ALPHA] Current working set of the node in bytes")
        if let memory = summary.node.memory, let workingSet = memory.workingSetBytes {
            out.sample("node_memory_working_set_bytes", Double(workingSet), timestampMilliseconds: ms(memory.time))
        }
        out.family("pod_cpu_usage_seconds_total", "counter", help: "[ALPHA] Cumulative cpu time consumed by the pod in core-seconds")
        for pod in summary.pods {
            guard let cpu = pod.cpu, let usage = cpu.usageCoreNanoSeconds else { continue }
            out.sample(
                "pod_cpu_usage_seconds_total", labels: [("namespace", pod.podRef.namespace), ("pod", pod.podRef.name)], Double(usage) / 1e9,
                timestampMilliseconds: ms(cpu.time))
        }
        out.family("pod_memory_working_set_bytes", "gauge", help: "[ALPHA] Current working set of the pod in bytes")
        for pod in summary.pods {
            guard let memory = pod.memory, let workingSet = memory.workingSetBytes else { continue }
            out.sample(
                "pod_memory_working_set_bytes", labels: [("namespace", pod.podRef.namespace), ("pod", pod.podRef.name)], Double(workingSet),
                timestampMilliseconds: ms(memory.time))
        }
        out.family("scrape_error", "gauge", help: "[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise")
        out.sample("scrape_error", 0)
        return out.bytes
    }

    private static func labels(_ container: String, _ pod: Summary.PodStats) -> [(String, String)] {
        [("container", container), ("namespace", pod.podRef.namespace), ("pod", pod.podRef.name)]
    }
}
