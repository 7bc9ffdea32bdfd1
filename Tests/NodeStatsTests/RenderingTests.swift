import Foundation
import Logging
import Testing

@testable import NodeStats

@Suite("Rendering the summary and the metrics")
struct RenderingTests {
    static let start = Date(timeIntervalSince1970: 1_764_900_000)

    /// Two passes over a node with pod default/web (infra + app with a 64 MiB limit) and
    /// kube-system/dns (infra + app without a limit).
    static func snapshot() async throws -> StatsSnapshot {
        let fs = FakeFileSystem.v1Node()
        fs.addV1Container(id: "infra1", pid: 100)
        fs.addV1Container(id: "app1", pid: 101)
        var unlimited = Fixture.V1.files
        unlimited["memory.limit_in_bytes"] = Fixture.V1.unlimited
        fs.addV1Container(id: "infra2", pid: 200, files: unlimited)
        fs.addV1Container(id: "app2", pid: 201, files: unlimited)
        fs["/proc/100/net/dev"] = Fixture.netDev
        fs["/proc/200/net/dev"] = Fixture.netDev
        let inventory = FakeInventory([
            .fake(id: "infra1", container: "POD", infra: true, pid: 100), .fake(id: "app1", container: "app", pid: 101),
            .fake(id: "infra2", pod: "dns", namespace: "kube-system", uid: "uid-dns", container: "POD", infra: true, pid: 200),
            .fake(id: "app2", pod: "dns", namespace: "kube-system", uid: "uid-dns", container: "dns", pid: 201),
        ])
        let time = ManualTime(start)
        let sampler = StatsSampler(
            configuration: .init(nodeName: "node-1"), inventory: inventory, fileSystem: fs, now: { time.now }, logger: Logger(label: "t"))
        await sampler.sampleOnce()
        fs["/sys/fs/cgroup/cpuacct/docker/app1/cpuacct.usage"] = "3000000000\n"
        time.advance(by: 10)
        await sampler.sampleOnce()
        return try #require(sampler.store.snapshot)
    }

    @Test("the summary JSON has kubelet's field names, integers, RFC 3339 times, and leaves out what is unknown")
    func summaryJSON() async throws {
        let json = SummaryBuilder.json(try await Self.snapshot())
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let node = try #require(root["node"] as? [String: Any])
        #expect(node["nodeName"] as? String == "node-1")
        #expect(node["startTime"] as? String == "2025-12-02T18:26:40Z")
        #expect(Set((node["memory"] as? [String: Any])?.keys.map { $0 } ?? []) == [
            "time", "availableBytes", "usageBytes", "workingSetBytes", "rssBytes", "pageFaults", "majorPageFaults",
        ])
        #expect((node["fs"] as? [String: Any])?["capacityBytes"] as? Int == 100_000)
        #expect(((node["runtime"] as? [String: Any])?["imageFs"] as? [String: Any])?["usedBytes"] == nil)
        #expect((node["rlimit"] as? [String: Any])?["maxpid"] as? Int == 4_194_304)

        let pods = try #require(root["pods"] as? [[String: Any]])
        #expect(pods.compactMap { ($0["podRef"] as? [String: Any])?["name"] as? String } == ["web", "dns"])
        let web = try #require(pods.first { (($0["podRef"] as? [String: Any])?["namespace"] as? String) == "default" })
        #expect(web["podRef"] as? [String: String] == ["name": "web", "namespace": "default", "uid": "uid-web"])
        let containers = try #require(web["containers"] as? [[String: Any]])
        #expect(containers.map { $0["name"] as? String } == ["app"])  // the infra container is not listed
        let cpu = try #require(containers[0]["cpu"] as? [String: Any])
        #expect(cpu["usageNanoCores"] as? Int == 50_000_000)
        #expect(cpu["time"] as? String == "2025-12-05T02:00:10Z")
        let memory = try #require(containers[0]["memory"] as? [String: Any])
        #expect(memory["availableBytes"] as? Int == 67_108_864 - (4_096_000 - 1_925_120))
        #expect((containers[0]["logs"] as? [String: Any])?["capacityBytes"] as? Int == 500_000)
        #expect((containers[0]["rootfs"] as? [String: Any])?["usedBytes"] == nil)

        let network = try #require(web["network"] as? [String: Any])
        #expect(network["name"] as? String == "eth0")
        #expect(network["rxBytes"] as? Int == 90210)
        #expect((network["interfaces"] as? [[String: Any]])?.count == 1)
        // Pod memory: the sum over infra and app; available against the app's limit.
        let podMemory = try #require(web["memory"] as? [String: Any])
        #expect(podMemory["usageBytes"] as? Int == 2 * 4_096_000)
        #expect(podMemory["availableBytes"] as? Int == 67_108_864 - 2 * (4_096_000 - 1_925_120))

        let dns = try #require(pods.first { (($0["podRef"] as? [String: Any])?["name"] as? String) == "dns" })
        let dnsContainer = try #require((dns["containers"] as? [[String: Any]])?.first)
        #expect((dnsContainer["memory"] as? [String: Any])?["availableBytes"] == nil)
        #expect((dns["memory"] as? [String: Any])?["availableBytes"] == nil)

        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains("null"))
        #expect(text.range(of: #":-?[0-9]+\.[0-9]"#, options: .regularExpression) == nil)  // integers only
    }

    @Test("cadvisor metrics carry kubelet's labels, the sample time in ms, network for the infra container, and the machine")
    func cadvisorText() async throws {
        let text = String(decoding: CadvisorMetrics.render(try await Self.snapshot()), as: UTF8.self)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let ms = Int64((Self.start.timeIntervalSince1970 + 10) * 1000)
        let app = #"container="app",id="/docker/app1",image="clc-test/busybox",name="k8s_app_web",namespace="default",pod="web""#
        let infra = #"container="POD",id="/docker/infra1",image="clc-node/pause:3.0",name="k8s_POD_web",namespace="default",pod="web""#
        let expected: Set<String> = [
            "# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.",
            "# TYPE container_cpu_usage_seconds_total counter",
            #"container_cpu_usage_seconds_total{container="app",cpu="total",id="/docker/app1",image="clc-test/busybox",name="k8s_app_web",namespace="default",pod="web"} 3 \#(ms)"#,
            #"container_cpu_usage_seconds_total{container="",cpu="total",id="/",image="",name="",namespace="",pod=""} 900 \#(ms)"#,
            "container_memory_working_set_bytes{\(app)} 2170880 \(ms)",
            "container_memory_rss{\(app)} 53248 \(ms)",
            "container_memory_cache{\(app)} 1970176 \(ms)",
            "container_spec_memory_limit_bytes{\(app)} 67108864 \(ms)",
            "container_start_time_seconds{\(app)} 1764800000 \(ms)",
            #"container_network_receive_bytes_total{container="POD",id="/docker/infra1",image="clc-node/pause:3.0",interface="eth0",name="k8s_POD_web",namespace="default",pod="web"} 90210 \#(ms)"#,
            "container_scrape_error 0",
            "machine_memory_bytes 8192000000",
        ]
        #expect(lines.isSuperset(of: expected), "missing: \(expected.subtracting(lines).sorted())")
        #expect(lines.contains { $0.hasPrefix("machine_cpu_cores ") })
        #expect(!lines.contains { $0.hasPrefix("container_network_receive_bytes_total{\(app.prefix(15))") })
        #expect(!lines.contains { $0.hasPrefix("container_cpu_cfs_periods_total") })  // no quota, no throttling series
        _ = infra
        // Each family's HELP appears once.
        #expect(text.components(separatedBy: "# HELP container_memory_rss ").count == 2)
    }

    @Test("resource metrics give metrics-server's node, pod and container series")
    func resourceText() async throws {
        let text = String(decoding: ResourceMetrics.render(try await Self.snapshot()), as: UTF8.self)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let ms = Int64((Self.start.timeIntervalSince1970 + 10) * 1000)
        let expected: Set<String> = [
            #"container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 3 \#(ms)"#,
            #"container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 2170880 \#(ms)"#,
            #"container_start_time_seconds{container="app",namespace="default",pod="web"} 1764800000 1764800000000"#,
            "node_cpu_usage_seconds_total 900 \(ms)",
            "node_memory_working_set_bytes \(4_500_000 * 1024) \(ms)",
            #"pod_cpu_usage_seconds_total{namespace="default",pod="web"} 5.5 \#(ms)"#,
            #"pod_memory_working_set_bytes{namespace="default",pod="web"} 4341760 \#(ms)"#,
            "scrape_error 0",
        ]
        #expect(lines.isSuperset(of: expected), "missing: \(expected.subtracting(lines).sorted())")
    }

    @Test("the endpoints answer from the store, render once per pass, and answer an empty document before the first pass")
    func endpoints() async throws {
        let store = StatsStore()
        let endpoints = NodeStatsEndpoints(store: store)
        #expect(await endpoints.summary().body == Array("{}".utf8))
        store.publish(try await Self.snapshot())
        let first = await endpoints.summary()
        #expect(first.contentType == "application/json")
        #expect(await endpoints.summary().body == first.body)
        #expect(await endpoints.cadvisor().contentType == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test("label values escape backslashes, quotes and newlines")
    func escaping() {
        var writer = ExpositionWriter()
        writer.sample("m", labels: [("a", "x\\y\"z\nw")], 1.5)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "m{a=\"x\\\\y\\\"z\\nw\"} 1.5\n")
    }
}
