// The cost of kubelet's stats endpoints in clc-node: rendering /stats/summary, /metrics/cadvisor
// and /metrics/resource for 30 pods (from a snapshot in memory: what a request costs), and one
// sampling pass over real containers (cgroup and procfs reads). bench/stats.sh runs it and
// measures the baselines (the same files read by `cat` and by Python) beside it.
//
// Usage: clc-bench-stats render [PODS] [RUNS]
//        clc-bench-stats sample DOCKER_SOCKET NODE_LABEL FILE_LIST_OUTPUT [RUNS]
//        clc-bench-stats print DOCKER_SOCKET NODE_LABEL
import DockerEngine
import Foundation
import Logging
import NodeStats

@main
struct StatsBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case "render":
            let pods = arguments.dropFirst().first.flatMap { Int($0) } ?? 30
            let runs = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 200
            await render(pods: pods, runs: runs)
        case "sample":
            let rest = Array(arguments.dropFirst())
            guard rest.count >= 3 else { fatalError("usage: clc-bench-stats sample DOCKER_SOCKET NODE_LABEL FILE_LIST_OUTPUT [RUNS]") }
            try await sample(socket: rest[0], node: rest[1], fileList: rest[2], runs: rest.count > 3 ? Int(rest[3]) ?? 20 : 20)
        case "print":
            // Prints the summary and the cadvisor text of NODE_LABEL's containers (two passes 1 s apart).
            let rest = Array(arguments.dropFirst())
            let sampler = StatsSampler(
                configuration: .init(nodeName: rest[1]),
                inventory: DockerContainerInventory(engine: DockerClient(socketPath: rest[0]), nodeName: rest[1]), logger: Logger(label: "bench"))
            await sampler.sampleOnce()
            try await Task.sleep(for: .seconds(1))
            await sampler.sampleOnce()
            let endpoints = NodeStatsEndpoints(store: sampler.store)
            print(String(decoding: await endpoints.summary().body, as: UTF8.self))
            print(String(decoding: await endpoints.cadvisor().body, as: UTF8.self))
        default:
            fatalError("usage: clc-bench-stats render [PODS] [RUNS] | sample DOCKER_SOCKET NODE_LABEL FILE_LIST_OUTPUT [RUNS]")
        }
    }

    static func render(pods: Int, runs: Int) async {
        let snapshot = fakeSnapshot(pods: pods)
        func measure(_ name: String, _ body: () -> [UInt8]) {
            var times: [Double] = []
            var size = 0
            for _ in 0..<runs {
                let start = ContinuousClock.now
                size = body().count
                times.append(milliseconds(ContinuousClock.now - start))
            }
            report(name, times, extra: "\(size) bytes")
        }
        print("rendering for \(pods) pods (\(snapshot.containers.count) containers), \(runs) runs each")
        measure("/stats/summary (uncached render)") { SummaryBuilder.json(snapshot) }
        measure("/metrics/cadvisor (uncached render)") { CadvisorMetrics.render(snapshot) }
        measure("/metrics/resource (uncached render)") { ResourceMetrics.render(snapshot) }
        let store = StatsStore()
        store.publish(snapshot)
        let endpoints = NodeStatsEndpoints(store: store)
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            _ = await endpoints.summary()
            times.append(milliseconds(ContinuousClock.now - start))
        }
        report("/stats/summary (endpoint, cached per pass)", times, extra: "")
    }

    static func sample(socket: String, node: String, fileList: String, runs: Int) async throws {
        let engine = DockerClient(socketPath: socket)
        let inventory = DockerContainerInventory(engine: engine, nodeName: node)
        let store = StatsStore()
        let sampler = StatsSampler(configuration: .init(nodeName: node), inventory: inventory, store: store, logger: Logger(label: "bench"))
        let first = ContinuousClock.now
        await sampler.sampleOnce()
        let firstPass = milliseconds(ContinuousClock.now - first)
        guard let snapshot = store.snapshot else { fatalError("no snapshot") }
        print("sampling \(snapshot.containers.count) real containers")
        print(String(format: "  first pass (inspects every container, finds cgroups): %.2f ms", firstPass))

        var passes: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            await sampler.sampleOnce()
            passes.append(milliseconds(ContinuousClock.now - start))
        }
        report("one pass (one docker list + files)", passes, extra: "")

        // The files alone: what the baseline reads too.
        let fileSystem = HostFileSystem()
        var files: [String] = []
        for sampled in snapshot.containers {
            let memory = "/sys/fs/cgroup/memory\(sampled.cgroupName)"
            let cpuacct = "/sys/fs/cgroup/cpuacct\(sampled.cgroupName)"
            let cpu = "/sys/fs/cgroup/cpu\(sampled.cgroupName)"
            for file in CgroupFileParser.v1Files {
                let directory = file.hasPrefix("cpuacct.") ? cpuacct : file.hasPrefix("cpu.") ? cpu : memory
                files.append(directory + "/" + file)
            }
            if sampled.container.isInfra { files.append("/proc/\(sampled.container.pid)/net/dev") }
        }
        try files.joined(separator: "\n").write(toFile: fileList, atomically: true, encoding: .utf8)
        var reads: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            var bytes = 0
            for file in files { bytes += fileSystem.read(file)?.utf8.count ?? 0 }
            precondition(bytes > 0)
            reads.append(milliseconds(ContinuousClock.now - start))
        }
        report("the \(files.count) files alone (HostFileSystem.read)", reads, extra: "")
    }

    static func fakeSnapshot(pods: Int) -> StatsSnapshot {
        let time = Date()
        let previousTime = time - 10
        func cgroup(_ cpu: UInt64, limit: UInt64?) -> CgroupStats {
            CgroupStats(
                cpu: CPUStats(
                    usageNanoseconds: cpu, userNanoseconds: cpu / 2, systemNanoseconds: cpu / 2,
                    throttling: CPUThrottling(periods: 10, throttledPeriods: 1, throttledNanoseconds: 1000)),
                memory: MemoryStats(
                    usageBytes: 20_000_000, inactiveFileBytes: 5_000_000, rssBytes: 12_000_000, cacheBytes: 8_000_000, limitBytes: limit,
                    pageFaults: 1000, majorPageFaults: 3),
                spec: ResourceSpec(cpuShares: 1024, cpuPeriodMicroseconds: 100_000, cpuQuotaMicroseconds: 50_000))
        }
        let eth0 = [NetworkInterfaceStats(name: "eth0", rxBytes: 123_456, rxPackets: 100, txBytes: 654_321, txPackets: 90)]
        var containers: [SampledContainer] = []
        for pod in 0..<pods {
            for (index, name) in ["POD", "app"].enumerated() {
                let id = String(format: "%064x", pod * 2 + index)
                let container = StatsContainer(
                    id: id, name: "k8s_\(name)_pod-\(pod)", image: index == 0 ? "clc-node/pause:3.0" : "redis", podName: "pod-\(pod)",
                    podNamespace: "default", podUID: UUID().uuidString.lowercased(), containerName: name, isInfra: index == 0, pid: 1000 + pod,
                    startTime: time - 3600, logPath: nil)
                let latest = ContainerSample(time: time, cgroup: cgroup(5_000_000_000, limit: 128 << 20), network: index == 0 ? eth0 : nil)
                let previous = ContainerSample(time: previousTime, cgroup: cgroup(4_000_000_000, limit: 128 << 20), network: index == 0 ? eth0 : nil)
                containers.append(
                    SampledContainer(container: container, cgroupName: "/docker/\(id)", samples: SamplePair(latest: latest, previous: previous)))
            }
        }
        // One pod UID per pod, shared by its two containers.
        for pod in 0..<pods { containers[pod * 2 + 1].container.podUID = containers[pod * 2].container.podUID }
        let fs = FilesystemStats(capacityBytes: 100 << 30, availableBytes: 60 << 30, usedBytes: 40 << 30, inodes: 1 << 20, inodesFree: 1 << 19, inodesUsed: 1 << 19)
        let node = NodeSample(
            time: time, cpu: CPUStats(usageNanoseconds: 900_000_000_000), memory: MemoryStats(usageBytes: 4 << 30, inactiveFileBytes: 1 << 30, limitBytes: 8 << 30),
            network: eth0, rootFilesystem: fs, imageFilesystem: fs, maxPID: 4_194_304, processCount: 500)
        return StatsSnapshot(
            nodeName: "bench-node", machine: MachineInfo(cpuCores: 2, memoryBytes: 8 << 30, bootTime: time - 86_400),
            node: SamplePair(latest: node, previous: nil), containers: containers, generation: 1)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    static func report(_ name: String, _ times: [Double], extra: String) {
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        let padded = name.count < 48 ? name + String(repeating: " ", count: 48 - name.count) : name
        print("  \(padded) " + String(format: "median %7.3f ms  p99 %7.3f ms  ", median, p99) + extra)
    }
}
