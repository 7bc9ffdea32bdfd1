import AgentMetrics
import DockerEngine
import Foundation
import NodeStats
import PodRuntime
import Probes
import TestSupport
import Testing

@Suite("kubelet's own metrics")
struct KubeletMetricsTests {
    func lines(_ body: [UInt8]) -> Set<String> { Set(String(decoding: body, as: UTF8.self).split(separator: "\n").map(String.init)) }

    @Test("pod workers, pod starts and the running pods and containers render under kubelet's names, with node name and build info")
    func podManagerSeries() async throws {
        let metrics = try KubeletMetrics(registry: MetricsRegistry(), nodeName: "node-1", version: "1.2.3")
        let recorder = KubeletMetricsRecorder(metrics)
        recorder.podWorkerFinished(.create, duration: .milliseconds(30))
        recorder.podWorkerFinished(.sync, duration: .milliseconds(3))
        recorder.podStarted(latency: .milliseconds(1500))
        recorder.running(pods: 2, containers: ["running": 3, "exited": 1, "created": 0])
        let response = await metrics.exposition()
        #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let text = lines(response.body)
        let expected: Set<String> = [
            #"kubelet_node_name{node="node-1"} 1.0"#, #"clc_node_build_info{version="1.2.3"} 1.0"#, "kubelet_running_pods 2.0",
            #"kubelet_running_containers{container_state="running"} 3.0"#, #"kubelet_running_containers{container_state="exited"} 1.0"#,
            #"kubelet_pod_worker_duration_seconds_count{operation_type="create"} 1"#,
            #"kubelet_pod_worker_duration_seconds_bucket{operation_type="create",le="0.05"} 1"#,
            #"kubelet_pod_worker_duration_seconds_bucket{operation_type="create",le="0.025"} 0"#,
            #"kubelet_pod_worker_duration_seconds_count{operation_type="sync"} 1"#,
            #"kubelet_pod_start_duration_seconds_bucket{le="2.0"} 1"#, #"kubelet_pod_start_duration_seconds_bucket{le="1.0"} 0"#,
            "# TYPE process_cpu_seconds_total counter",
        ]
        #expect(text.isSuperset(of: expected), "missing: \(expected.subtracting(text).sorted())")
        #expect(text.contains { $0.hasPrefix("process_resident_memory_bytes ") })
        #expect(text.contains { $0.hasPrefix("process_open_fds ") })
        #expect(text.contains { $0.hasPrefix("process_start_time_seconds ") })
    }

    @Test("every Docker call through the instrumented engine counts, failures also as errors, with its duration")
    func runtimeOperations() async throws {
        let metrics = try KubeletMetrics(registry: MetricsRegistry(), nodeName: "node-1", version: "dev")
        let engine = InstrumentedDockerEngine(try TestDocker().client, recorder: KubeletMetricsRecorder(metrics))
        _ = try await engine.version()
        _ = try await engine.version()
        _ = try? await engine.inspectContainer(id: "no-such-container-\(UUID().uuidString)")
        let text = lines(await metrics.exposition().body)
        let expected: Set<String> = [
            #"kubelet_runtime_operations_total{operation_type="version"} 2"#,
            #"kubelet_runtime_operations_total{operation_type="inspect_container"} 1"#,
            #"kubelet_runtime_operations_errors_total{operation_type="inspect_container"} 1"#,
            #"kubelet_runtime_operations_duration_seconds_count{operation_type="version"} 2"#,
        ]
        #expect(text.isSuperset(of: expected), "missing: \(expected.subtracting(text).sorted())")
        #expect(!text.contains(#"kubelet_runtime_operations_errors_total{operation_type="version"} 1"#))
    }

    @Test("probe runs count by kubelet's probe type and result, with the container's pod labels")
    func proberSeries() async throws {
        let prober = ProberMetrics()
        let recorder = ProberMetricsRecorder(prober)
        let run = ProbeRun(
            kind: .liveness, succeeded: true, podUID: "uid-1", podName: "web", podNamespace: "shop", containerName: "app",
            duration: .milliseconds(2))
        recorder.record(run)
        recorder.record(run)
        var failed = run
        failed.succeeded = false
        failed.kind = .readiness
        recorder.record(failed)
        let text = lines(await prober.exposition().body)
        let expected: Set<String> = [
            #"prober_probe_total{container="app",namespace="shop",pod="web",pod_uid="uid-1",probe_type="Liveness",result="successful"} 2"#,
            #"prober_probe_total{container="app",namespace="shop",pod="web",pod_uid="uid-1",probe_type="Readiness",result="failed"} 1"#,
            #"prober_probe_duration_seconds_count{container="app",namespace="shop",pod="web",probe_type="Liveness"} 2"#,
        ]
        #expect(text.isSuperset(of: expected), "missing: \(expected.subtracting(text).sorted())")
    }

    @Test("a pod's probe series go when its probes are forgotten, another pod's stay (the soak's growth per deleted pod)")
    func proberSeriesOfAGonePod() async throws {
        let prober = ProberMetrics()
        let recorder = ProberMetricsRecorder(prober)
        let gone = ProbeRun(
            kind: .liveness, succeeded: true, podUID: "uid-1", podName: "web", podNamespace: "shop", containerName: "app",
            duration: .milliseconds(2))
        var staying = gone
        staying.podUID = "uid-2"
        staying.podName = "db"
        recorder.record(gone)
        recorder.record(staying)
        recorder.forget(podUID: "uid-1")
        let text = String(decoding: await prober.exposition().body, as: UTF8.self)
        #expect(!text.contains(#"pod="web""#), "\(text)")
        #expect(text.contains(#"prober_probe_total{container="app",namespace="shop",pod="db",pod_uid="uid-2",probe_type="Liveness",result="successful"} 1"#))
        #expect(text.contains(#"prober_probe_duration_seconds_count{container="app",namespace="shop",pod="db",probe_type="Liveness"} 1"#))
        // A pod of the same name later starts its series again.
        var again = gone
        again.podUID = "uid-3"
        recorder.record(again)
        let after = String(decoding: await prober.exposition().body, as: UTF8.self)
        #expect(after.contains(#"prober_probe_total{container="app",namespace="shop",pod="web",pod_uid="uid-3",probe_type="Liveness",result="successful"} 1"#))
        #expect(after.contains(#"prober_probe_duration_seconds_count{container="app",namespace="shop",pod="web",probe_type="Liveness"} 1"#))
    }

    @Test("the process collector reads CPU ticks, RSS pages and start time from /proc/<pid>/stat")
    func processStat() throws {
        let stat = "4242 (clc node) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 50 0 0 20 0 8 0 12000 104857600 2560 18446744073709551615"
        let reading = try #require(ProcessMetrics.parse(stat: stat, ticksPerSecond: 100, pageSize: 4096, bootTime: 1_764_700_000))
        #expect(reading.cpuSeconds == 2)
        #expect(reading.residentBytes == 2560 * 4096)
        #expect(reading.virtualBytes == 104_857_600)
        #expect(reading.startTimeSeconds == 1_764_700_120)
    }

    @Test("every endpoint is a closure of the node server's shape")
    func endpointShapes() async throws {
        typealias Endpoint = @Sendable () async -> (contentType: String, body: [UInt8])
        let stats = NodeStatsEndpoints(store: StatsStore())
        let kubelet = try KubeletMetrics(registry: MetricsRegistry(), nodeName: "n", version: "v")
        let prober = ProberMetrics()
        let endpoints: [String: Endpoint] = [
            "/stats/summary": stats.summary, "/metrics/cadvisor": stats.cadvisor, "/metrics/resource": stats.resource,
            "/metrics": kubelet.exposition, "/metrics/probes": prober.exposition,
        ]
        for (path, endpoint) in endpoints {
            let response = await endpoint()
            #expect(!response.contentType.isEmpty, "\(path)")
        }
    }
}
