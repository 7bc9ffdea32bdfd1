import Foundation

/// kubelet's `/metrics/cadvisor`: cAdvisor's container metrics (google/cadvisor
/// metrics/prometheus.go) for the root cgroup `/` and every pod container, with kubelet's
/// labels: `id` (the cgroup), `name` (Docker's name), `image`, and `container`, `pod`,
/// `namespace` from the agent's container labels (the infra container is `POD`). Samples carry
/// their sample time in milliseconds. Network series come from the root (the host's interfaces)
/// and infra containers, whose namespace a pod's containers share.
///
/// Not rendered (unknown without cAdvisor's filesystem and per-device accounting):
/// `container_fs_*`, `container_blkio_*`, per-CPU usage.
public enum CadvisorMetrics {
    public static let contentType = ExpositionWriter.contentType

    struct Row {
        var container: String
        var id: String
        var image: String
        var name: String
        var namespace: String
        var pod: String
        var time: Date
        var cpu: CPUStats?
        var memory: MemoryStats?
        var spec: ResourceSpec
        var network: [NetworkInterfaceStats]?
        var startTime: Date

        var milliseconds: Int64 { Int64((time.timeIntervalSince1970 * 1000).rounded(.down)) }

        /// Labels in cAdvisor's (alphabetical) order, with `extra` (`cpu`, `interface`, …) in its place.
        func labels(_ extra: (String, String)? = nil) -> [(String, String)] {
            var labels: [(String, String)] = [("container", container)]
            if let extra, extra.0 < "id" { labels.append(extra) }
            labels.append(("id", id))
            labels.append(("image", image))
            if let extra, extra.0 > "id", extra.0 < "name" { labels.append(extra) }
            labels += [("name", name), ("namespace", namespace), ("pod", pod)]
            if let extra, extra.0 > "pod" { labels.append(extra) }
            return labels
        }
    }

    static func rows(_ snapshot: StatsSnapshot) -> [Row] {
        let node = snapshot.node.latest
        var rows = [
            Row(
                container: "", id: "/", image: "", name: "", namespace: "", pod: "", time: node.time, cpu: node.cpu, memory: node.memory,
                spec: ResourceSpec(), network: node.network, startTime: snapshot.machine.bootTime)
        ]
        for sampled in snapshot.containers {
            let container = sampled.container, latest = sampled.samples.latest
            rows.append(
                Row(
                    container: container.containerName, id: sampled.cgroupName, image: container.image, name: container.name,
                    namespace: container.podNamespace, pod: container.podName, time: latest.time, cpu: latest.cgroup.cpu,
                    memory: latest.cgroup.memory, spec: latest.cgroup.spec, network: latest.network, startTime: container.startTime))
        }
        return rows
    }

    /// The exposition text of `snapshot`.
    public static func render(_ snapshot: StatsSnapshot) -> [UInt8] {
        let rows = rows(snapshot)
        var out = ExpositionWriter(capacity: 4096 + rows.count * 6000)

        func family(_ name: String, _ type: String, _ help: String, extra: ((Row) -> [(label: (String, String)?, value: Double)])) {
            var wroteHeader = false
            for row in rows {
                for (label, value) in extra(row) {
                    if !wroteHeader {
                        out.family(name, type, help: help)
                        wroteHeader = true
                    }
                    out.sample(name, labels: row.labels(label), value, timestampMilliseconds: row.milliseconds)
                }
            }
        }
        func each(_ name: String, _ type: String, _ help: String, _ value: @escaping (Row) -> Double?) {
            family(name, type, help) { row in value(row).map { [(nil, $0)] } ?? [] }
        }
        func seconds(_ nanoseconds: UInt64?) -> Double? { nanoseconds.map { Double($0) / 1e9 } }
        func double(_ value: UInt64?) -> Double? { value.map { Double($0) } }

        family("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.") { row in
            seconds(row.cpu?.usageNanoseconds).map { [(("cpu", "total"), $0)] } ?? []
        }
        each("container_cpu_user_seconds_total", "counter", "Cumulative user cpu time consumed in seconds.") { seconds($0.cpu?.userNanoseconds) }
        each("container_cpu_system_seconds_total", "counter", "Cumulative system cpu time consumed in seconds.") {
            seconds($0.cpu?.systemNanoseconds)
        }
        // cAdvisor exports throttling for containers with a CFS quota only.
        func throttling(_ row: Row) -> CPUThrottling? { row.spec.cpuQuotaMicroseconds == nil ? nil : row.cpu?.throttling }
        each("container_cpu_cfs_periods_total", "counter", "Number of elapsed enforcement period intervals.") {
            double(throttling($0)?.periods)
        }
        each("container_cpu_cfs_throttled_periods_total", "counter", "Number of throttled period intervals.") {
            double(throttling($0)?.throttledPeriods)
        }
        each("container_cpu_cfs_throttled_seconds_total", "counter", "Total time duration the container has been throttled.") {
            seconds(throttling($0)?.throttledNanoseconds)
        }
        each("container_memory_cache", "gauge", "Number of bytes of page cache memory.") { double($0.memory?.cacheBytes) }
        family("container_memory_failcnt", "counter", "Number of memory usage hits limits") { row in
            row.memory.map { [(nil, Double($0.failcnt))] } ?? []
        }
        family("container_memory_failures_total", "counter", "Cumulative count of memory allocation failures.") { row in
            guard let memory = row.memory else { return [] }
            return [
                (("failure_type", "pgfault"), Double(memory.pageFaults)),
                (("failure_type", "pgmajfault"), Double(memory.majorPageFaults)),
            ]
        }
        each("container_memory_mapped_file", "gauge", "Size of memory mapped files in bytes.") { double($0.memory?.mappedFileBytes) }
        each("container_memory_rss", "gauge", "Size of RSS in bytes.") { double($0.memory?.rssBytes) }
        each("container_memory_swap", "gauge", "Container swap usage in bytes.") { double($0.memory?.swapBytes) }
        each("container_memory_usage_bytes", "gauge", "Current memory usage in bytes, including all memory regardless of when it was accessed") {
            double($0.memory?.usageBytes)
        }
        each("container_memory_working_set_bytes", "gauge", "Current working set in bytes.") { double($0.memory?.workingSetBytes) }

        func network(_ name: String, _ help: String, _ value: @escaping (NetworkInterfaceStats) -> UInt64) {
            family(name, "counter", help) { row in (row.network ?? []).map { (("interface", $0.name), Double(value($0))) } }
        }
        network("container_network_receive_bytes_total", "Cumulative count of bytes received") { $0.rxBytes }
        network("container_network_receive_errors_total", "Cumulative count of errors encountered while receiving") { $0.rxErrors }
        network("container_network_receive_packets_dropped_total", "Cumulative count of packets dropped while receiving") { $0.rxDropped }
        network("container_network_receive_packets_total", "Cumulative count of packets received") { $0.rxPackets }
        network("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted") { $0.txBytes }
        network("container_network_transmit_errors_total", "Cumulative count of errors encountered while transmitting") { $0.txErrors }
        network("container_network_transmit_packets_dropped_total", "Cumulative count of packets dropped while transmitting") {
            $0.txDropped
        }
        network("container_network_transmit_packets_total", "Cumulative count of packets transmitted") { $0.txPackets }

        family("container_oom_events_total", "counter", "Count of out of memory events observed for the container") { row in
            row.memory.map { [(nil, Double($0.oomKills))] } ?? []
        }
        each("container_spec_cpu_period", "gauge", "CPU period of the container.") { double($0.spec.cpuPeriodMicroseconds) }
        each("container_spec_cpu_quota", "gauge", "CPU quota of the container.") { double($0.spec.cpuQuotaMicroseconds) }
        each("container_spec_cpu_shares", "gauge", "CPU share of the container.") { double($0.spec.cpuShares) }
        // cAdvisor writes 0 for "no limit".
        family("container_spec_memory_limit_bytes", "gauge", "Memory limit for the container.") { row in
            row.memory.map { [(nil, Double($0.limitBytes ?? 0))] } ?? []
        }
        each("container_start_time_seconds", "gauge", "Start time of the container since unix epoch in seconds.") {
            $0.startTime.timeIntervalSince1970.rounded(.down)
        }
        each("container_last_seen", "gauge", "Last time a container was seen by the exporter") { $0.time.timeIntervalSince1970.rounded(.down) }

        out.family("container_scrape_error", "gauge", help: "1 if there was an error while getting container metrics, 0 otherwise")
        out.sample("container_scrape_error", 0)
        out.family("machine_cpu_cores", "gauge", help: "Number of logical CPU cores.")
        out.sample("machine_cpu_cores", Double(snapshot.machine.cpuCores))
        out.family("machine_memory_bytes", "gauge", help: "Amount of memory installed on the machine.")
        out.sample("machine_memory_bytes", Double(snapshot.machine.memoryBytes))
        return out.bytes
    }
}
