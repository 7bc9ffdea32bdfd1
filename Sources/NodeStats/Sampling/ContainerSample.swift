import Foundation

/// One reading of a container's cgroup (and, for an infra container, its pod's network).
public struct ContainerSample: Sendable, Equatable {
    public var time: Date
    public var cgroup: CgroupStats
    /// The interfaces of the container's network namespace, read for infra containers only (the
    /// other containers of a pod share that namespace).
    public var network: [NetworkInterfaceStats]?
    /// Bytes of the container's log file; nil when unknown.
    public var logBytes: UInt64?

    public init(time: Date, cgroup: CgroupStats, network: [NetworkInterfaceStats]? = nil, logBytes: UInt64? = nil) {
        self.time = time
        self.cgroup = cgroup
        self.network = network
        self.logBytes = logBytes
    }
}

/// One reading of the node.
public struct NodeSample: Sendable, Equatable {
    public var time: Date
    /// The root cgroup's CPU.
    public var cpu: CPUStats?
    /// `/proc/meminfo` and `/proc/vmstat`.
    public var memory: MemoryStats?
    /// The host's interfaces (the agent's network namespace), ignored ones left out.
    public var network: [NetworkInterfaceStats]
    /// The filesystem of `/` and the one of Docker's data root.
    public var rootFilesystem: FilesystemStats?
    public var imageFilesystem: FilesystemStats?
    /// `/proc/sys/kernel/pid_max` and the tasks that exist (`/proc/loadavg`).
    public var maxPID: UInt64?
    public var processCount: UInt64?

    public init(
        time: Date, cpu: CPUStats? = nil, memory: MemoryStats? = nil, network: [NetworkInterfaceStats] = [],
        rootFilesystem: FilesystemStats? = nil, imageFilesystem: FilesystemStats? = nil, maxPID: UInt64? = nil,
        processCount: UInt64? = nil
    ) {
        self.time = time
        self.cpu = cpu
        self.memory = memory
        self.network = network
        self.rootFilesystem = rootFilesystem
        self.imageFilesystem = imageFilesystem
        self.maxPID = maxPID
        self.processCount = processCount
    }
}

/// The two newest samples of something: rates come from their difference.
public struct SamplePair<Sample: Sendable & Equatable>: Sendable, Equatable {
    public var latest: Sample
    public var previous: Sample?

    public init(latest: Sample, previous: Sample? = nil) {
        self.latest = latest
        self.previous = previous
    }

    /// Keeps `sample` and the one it follows; older ones are dropped (two per container, at most).
    public func adding(_ sample: Sample) -> SamplePair { SamplePair(latest: sample, previous: latest) }
}
