import Foundation

/// The machine: fixed while the agent runs.
public struct MachineInfo: Sendable, Equatable {
    public var cpuCores: Int
    public var memoryBytes: UInt64
    /// When the node booted (`/proc/stat` btime): the node's and the root cgroup's start time.
    public var bootTime: Date

    public init(cpuCores: Int, memoryBytes: UInt64, bootTime: Date) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.bootTime = bootTime
    }
}

/// A container with its cgroup's name and its two newest samples.
public struct SampledContainer: Sendable, Equatable {
    public var container: StatsContainer
    /// The cgroup path (cAdvisor's `id` label), e.g. `/docker/<id>`.
    public var cgroupName: String
    public var samples: SamplePair<ContainerSample>

    public init(container: StatsContainer, cgroupName: String, samples: SamplePair<ContainerSample>) {
        self.container = container
        self.cgroupName = cgroupName
        self.samples = samples
    }
}

/// Everything the endpoints render, as of the last sampling pass: a value, so rendering reads
/// no file and takes no lock.
public struct StatsSnapshot: Sendable, Equatable {
    public var nodeName: String
    public var machine: MachineInfo
    public var node: SamplePair<NodeSample>
    /// Sorted by pod namespace, pod name, then infra container first, then container name.
    public var containers: [SampledContainer]
    /// Counts sampling passes: renderings of one generation are equal and may be cached.
    public var generation: UInt64

    public init(nodeName: String, machine: MachineInfo, node: SamplePair<NodeSample>, containers: [SampledContainer], generation: UInt64) {
        self.nodeName = nodeName
        self.machine = machine
        self.node = node
        self.containers = containers
        self.generation = generation
    }
}
