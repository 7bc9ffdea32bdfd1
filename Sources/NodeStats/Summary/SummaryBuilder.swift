import Foundation
import KubeAPI

/// Builds kubelet's ``Summary`` from a ``StatsSnapshot``. Pure.
///
/// Differences from kubelet, where this agent knows less: containers run directly under Docker's
/// cgroup parent, not in a pod cgroup, so a pod's figures are the sums over its containers, the
/// infra container included; a container's `rootfs` gives its filesystem's capacity but no
/// `usedBytes` (Docker reports a writable layer's size only through the expensive
/// `GET /containers/{id}/json?size=1`, which walks the layer); `imageFs` has no `usedBytes`;
/// pods have no `volume` or `ephemeral-storage`; the only system container is `pods`.
public enum SummaryBuilder {
    public static func summary(_ snapshot: StatsSnapshot) -> Summary {
        let node = snapshot.node.latest
        let nodeTime = KubeTime.format(node.time)
        var pods: [Summary.PodStats] = []
        var index = 0
        let containers = snapshot.containers
        while index < containers.count {
            var end = index + 1
            while end < containers.count, containers[end].container.podUID == containers[index].container.podUID { end += 1 }
            pods.append(pod(containers[index..<end], imageFilesystem: node.imageFilesystem))
            index = end
        }
        let podsContainer = Summary.ContainerStats(
            name: "pods", startTime: KubeTime.format(snapshot.machine.bootTime),
            cpu: summedCPU(containers[...], time: nodeTime), memory: summedMemory(containers[...], limit: nil, time: nodeTime))
        return Summary(
            node: Summary.NodeStats(
                nodeName: snapshot.nodeName, systemContainers: [podsContainer], startTime: KubeTime.format(snapshot.machine.bootTime),
                cpu: cpu(snapshot.node.latest.cpu, at: node.time, previous: snapshot.node.previous?.cpu, at: snapshot.node.previous?.time),
                memory: node.memory.map { memory($0, time: nodeTime) },
                network: network(node.network, time: nodeTime),
                fs: node.rootFilesystem.map { filesystem($0, time: nodeTime) },
                runtime: node.imageFilesystem.map { Summary.Runtime(imageFs: filesystem($0, time: nodeTime, used: false)) },
                rlimit: Summary.RLimit(time: nodeTime, maxpid: node.maxPID, curproc: node.processCount)),
            pods: pods)
    }

    /// The summary as JSON bytes.
    public static func json(_ snapshot: StatsSnapshot) -> [UInt8] {
        let encoder = JSONEncoder()
        // Sorted keys: the same figures give the same bytes (Foundation's order is not the
        // declaration order on Linux).
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return (try? Array(encoder.encode(summary(snapshot)))) ?? Array("{}".utf8)
    }

    private static func pod(_ containers: ArraySlice<SampledContainer>, imageFilesystem: FilesystemStats?) -> Summary.PodStats {
        let first = containers[containers.startIndex].container
        let infra = containers.first { $0.container.isInfra }
        let start = infra?.container.startTime ?? containers.map(\.container.startTime).min() ?? first.startTime
        let time = KubeTime.format(containers.map(\.samples.latest.time).max() ?? start)
        let apps = containers.filter { !$0.container.isInfra }
        let limits = apps.map(\.samples.latest.cgroup.memory?.limitBytes)
        let podLimit: UInt64? = !apps.isEmpty && limits.allSatisfy { $0 != nil } ? limits.reduce(0) { $0 + ($1 ?? 0) } : nil
        return Summary.PodStats(
            podRef: Summary.PodReference(name: first.podName, namespace: first.podNamespace, uid: first.podUID),
            startTime: KubeTime.format(start),
            containers: apps.map { container(in: $0, imageFilesystem: imageFilesystem) },
            cpu: summedCPU(containers, time: time), memory: summedMemory(containers, limit: podLimit, time: time),
            network: (infra?.samples.latest.network).flatMap { network($0, time: KubeTime.format(infra!.samples.latest.time)) })
    }

    private static func container(in sampled: SampledContainer, imageFilesystem: FilesystemStats?) -> Summary.ContainerStats {
        let latest = sampled.samples.latest
        let time = KubeTime.format(latest.time)
        let rootfs = imageFilesystem.map {
            Summary.Filesystem(
                time: time, availableBytes: $0.availableBytes, capacityBytes: $0.capacityBytes, inodesFree: $0.inodesFree, inodes: $0.inodes)
        }
        let logs = imageFilesystem.map {
            Summary.Filesystem(
                time: time, availableBytes: $0.availableBytes, capacityBytes: $0.capacityBytes, usedBytes: latest.logBytes,
                inodesFree: $0.inodesFree, inodes: $0.inodes)
        }
        return Summary.ContainerStats(
            name: sampled.container.containerName, startTime: KubeTime.format(sampled.container.startTime),
            cpu: cpu(latest.cgroup.cpu, at: latest.time, previous: sampled.samples.previous?.cgroup.cpu, at: sampled.samples.previous?.time),
            memory: latest.cgroup.memory.map { memory($0, time: time) }, rootfs: rootfs, logs: logs)
    }

    static func cpu(_ latest: CPUStats?, at time: Date, previous: CPUStats?, at previousTime: Date?) -> Summary.CPU? {
        guard let latest else { return nil }
        return Summary.CPU(
            time: KubeTime.format(time), usageNanoCores: CPURate.nanoCores(latest: latest, at: time, previous: previous, at: previousTime),
            usageCoreNanoSeconds: latest.usageNanoseconds)
    }

    private static func memory(_ stats: MemoryStats, time: String) -> Summary.Memory {
        Summary.Memory(
            time: time, availableBytes: stats.availableBytes, usageBytes: stats.usageBytes, workingSetBytes: stats.workingSetBytes,
            rssBytes: stats.rssBytes, pageFaults: stats.pageFaults, majorPageFaults: stats.majorPageFaults)
    }

    /// Sums over containers; the rate only when every container has one (a container without a
    /// previous sample would make the pod look idler than it is).
    private static func summedCPU(_ containers: ArraySlice<SampledContainer>, time: String) -> Summary.CPU? {
        let readings = containers.compactMap { sampled in
            sampled.samples.latest.cgroup.cpu.map { cpu in
                (cpu, CPURate.nanoCores(
                    latest: cpu, at: sampled.samples.latest.time, previous: sampled.samples.previous?.cgroup.cpu,
                    at: sampled.samples.previous?.time))
            }
        }
        guard !readings.isEmpty else { return nil }
        let rates = readings.compactMap(\.1)
        return Summary.CPU(
            time: time, usageNanoCores: rates.count == readings.count ? rates.reduce(0, +) : nil,
            usageCoreNanoSeconds: readings.reduce(0) { $0 + $1.0.usageNanoseconds })
    }

    private static func summedMemory(_ containers: ArraySlice<SampledContainer>, limit: UInt64?, time: String) -> Summary.Memory? {
        let all = containers.compactMap(\.samples.latest.cgroup.memory)
        guard !all.isEmpty else { return nil }
        var total = MemoryStats(usageBytes: 0, limitBytes: limit)
        for memory in all {
            total.usageBytes += memory.usageBytes
            total.inactiveFileBytes += memory.inactiveFileBytes
            total.rssBytes += memory.rssBytes
            total.pageFaults += memory.pageFaults
            total.majorPageFaults += memory.majorPageFaults
        }
        var result = self.memory(total, time: time)
        // The sum of working sets, not the working set of the sums (each is floored at 0).
        result.workingSetBytes = all.reduce(0) { $0 + $1.workingSetBytes }
        result.availableBytes = limit.map { $0 > result.workingSetBytes! ? $0 - result.workingSetBytes! : 0 }
        return result
    }

    private static func network(_ interfaces: [NetworkInterfaceStats], time: String) -> Summary.Network? {
        let listed = interfaces.map {
            Summary.Interface(name: $0.name, rxBytes: $0.rxBytes, rxErrors: $0.rxErrors, txBytes: $0.txBytes, txErrors: $0.txErrors)
        }
        let primary = listed.first { $0.name == "eth0" }
        return Summary.Network(
            time: time, name: primary?.name, rxBytes: primary?.rxBytes, rxErrors: primary?.rxErrors, txBytes: primary?.txBytes,
            txErrors: primary?.txErrors, interfaces: listed)
    }

    private static func filesystem(_ stats: FilesystemStats, time: String, used: Bool = true) -> Summary.Filesystem {
        Summary.Filesystem(
            time: time, availableBytes: stats.availableBytes, capacityBytes: stats.capacityBytes, usedBytes: used ? stats.usedBytes : nil,
            inodesFree: stats.inodesFree, inodes: stats.inodes, inodesUsed: used ? stats.inodesUsed : nil)
    }
}
