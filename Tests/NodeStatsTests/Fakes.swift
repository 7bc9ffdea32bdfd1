import Foundation
import Synchronization

@testable import NodeStats

/// A tree of files in memory, changed by tests between sampling passes.
final class FakeFileSystem: StatsFileSystem {
    let files: Mutex<[String: String]>
    let filesystems: [String: FilesystemStats]

    init(_ files: [String: String] = [:], filesystems: [String: FilesystemStats] = [:]) {
        self.files = Mutex(files)
        self.filesystems = filesystems
    }

    subscript(path: String) -> String? {
        get { files.withLock { $0[path] } }
        set { files.withLock { $0[path] = newValue } }
    }

    func read(_ path: String) -> String? { self[path] }
    func filesystem(at path: String) -> FilesystemStats? { filesystems[path] }
    func fileSize(_ path: String) -> UInt64? { self[path].map { UInt64($0.utf8.count) } }

    /// A v1 container's files under each hierarchy, and its process's cgroup file.
    func addV1Container(id: String, pid: Int, files: [String: String] = Fixture.V1.files) {
        self["/proc/\(pid)/cgroup"] = "4:memory:/docker/\(id)\n2:cpuacct:/docker/\(id)\n1:cpu:/docker/\(id)\n0::/docker/\(id)\n"
        for (name, text) in files {
            let controller = name.hasPrefix("cpuacct.") ? "cpuacct" : name.hasPrefix("cpu.") ? "cpu" : "memory"
            self["/sys/fs/cgroup/\(controller)/docker/\(id)/\(name)"] = text
        }
    }

    func removeV1Container(id: String) {
        files.withLock { files in files = files.filter { !$0.key.contains("/docker/\(id)/") } }
    }

    /// A hybrid v1 node with its root cgroup and procfs files.
    static func v1Node() -> FakeFileSystem {
        let fs = FakeFileSystem(
            [
                "/proc/self/mountinfo": Fixture.V1.mountinfo, "/proc/stat": Fixture.procStat, "/proc/meminfo": Fixture.meminfo,
                "/proc/vmstat": "pgfault 5000\npgmajfault 9\n", "/proc/self/net/dev": Fixture.netDev,
                "/proc/loadavg": "0.10 0.20 0.30 1/400 999\n", "/proc/sys/kernel/pid_max": "4194304\n",
                "/sys/fs/cgroup/cpuacct/cpuacct.usage": "900000000000\n", "/sys/fs/cgroup/cpuacct/cpuacct.stat": "user 60000\nsystem 30000\n",
            ],
            filesystems: [
                "/": FilesystemStats(
                    capacityBytes: 100_000, availableBytes: 60_000, usedBytes: 40_000, inodes: 1000, inodesFree: 700, inodesUsed: 300),
                "/var/lib/docker": FilesystemStats(
                    capacityBytes: 500_000, availableBytes: 200_000, usedBytes: 300_000, inodes: 5000, inodesFree: 4000, inodesUsed: 1000),
            ])
        return fs
    }
}

/// A fixed list of running containers, changed by tests; or a failure.
final class FakeInventory: ContainerInventory {
    struct Unavailable: Error, CustomStringConvertible { var description: String { "engine not answering" } }

    let containers: Mutex<[StatsContainer]>
    let failing = Mutex(false)

    init(_ containers: [StatsContainer]) {
        self.containers = Mutex(containers)
    }

    func runningContainers() async throws -> [StatsContainer] {
        if failing.withLock({ $0 }) { throw Unavailable() }
        return containers.withLock { $0 }
    }
}

/// Wall time the tests move by hand.
final class ManualTime: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

extension StatsContainer {
    static func fake(
        id: String, pod: String = "web", namespace: String = "default", uid: String = "uid-web", container: String, infra: Bool = false,
        pid: Int, started: TimeInterval = 1_764_800_000
    ) -> StatsContainer {
        StatsContainer(
            id: id, name: "k8s_\(container)_\(pod)", image: infra ? "clc-node/pause:3.0" : "clc-test/busybox", podName: pod,
            podNamespace: namespace, podUID: uid, containerName: container, isInfra: infra, pid: pid,
            startTime: Date(timeIntervalSince1970: started), logPath: "/var/lib/docker/containers/\(id)/\(id)-json.log")
    }
}
