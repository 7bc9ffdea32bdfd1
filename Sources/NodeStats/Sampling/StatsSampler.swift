import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Reads the node's and every pod container's cgroup on a timer, as kubelet's cAdvisor
/// housekeeping does, and publishes a ``StatsSnapshot`` with the two newest samples of each, so
/// that the endpoints answer from memory and rates come from the last interval.
public final class StatsSampler: Service, Sendable {
    public struct Configuration: Sendable {
        /// The node's name in the summary.
        public var nodeName: String
        /// Time between passes; 10 s, kubelet's default housekeeping interval: `usageNanoCores`
        /// is the average over it, as kubelet's is.
        public var interval: Duration
        /// The filesystem whose capacity is the node's `fs` (kubelet: its root directory's).
        public var rootFilesystemPath: String
        /// The Docker engine's data root: the `runtime.imageFs` and the containers' `rootfs`.
        public var imageFilesystemPath: String
        /// Where procfs is mounted.
        public var procRoot: String

        public init(
            nodeName: String, interval: Duration = .seconds(10), rootFilesystemPath: String = "/",
            imageFilesystemPath: String = "/var/lib/docker", procRoot: String = "/proc"
        ) {
            self.nodeName = nodeName
            self.interval = interval
            self.rootFilesystemPath = rootFilesystemPath
            self.imageFilesystemPath = imageFilesystemPath
            self.procRoot = procRoot
        }
    }

    public let store: StatsStore
    private let configuration: Configuration
    private let inventory: any ContainerInventory
    private let fileSystem: any StatsFileSystem
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let logger: Logger

    private struct State {
        var mounts: CgroupMounts?
        var machine: MachineInfo?
        var node: SamplePair<NodeSample>?
        /// Container ID → where its cgroup is, found once from its PID.
        var locations: [String: CgroupLocation] = [:]
        var samples: [String: SamplePair<ContainerSample>] = [:]
        var generation: UInt64 = 0
        var lastInventoryError: String?
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - configuration: node name, interval, paths.
    ///   - inventory: the running containers of the node's pods.
    ///   - fileSystem: `/sys` and `/proc` (a fake in tests).
    ///   - store: where snapshots go (the endpoints read it).
    ///   - clock: paces the passes.
    ///   - now: the samples' wall time.
    public init(
        configuration: Configuration, inventory: any ContainerInventory, fileSystem: any StatsFileSystem = HostFileSystem(),
        store: StatsStore = StatsStore(), clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = Date.init,
        logger: Logger
    ) {
        self.configuration = configuration
        self.inventory = inventory
        self.fileSystem = fileSystem
        self.store = store
        self.clock = clock
        self.now = now
        self.logger = logger
    }

    /// Samples every `interval` until cancelled or shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sampleOnce()
                do { try await self.clock.sleep(for: self.configuration.interval) } catch { return }
            }
        }
    }

    /// One pass: the node, then every running container; publishes the snapshot. A container
    /// whose cgroup cannot be read is left out of this pass; the inventory failing keeps the
    /// containers of the last pass out too (stale figures would look live).
    public func sampleOnce() async {
        let containers: [StatsContainer]
        do {
            containers = try await inventory.runningContainers()
            state.withLock { $0.lastInventoryError = nil }
        } catch {
            let message = "\(error)"
            let first = state.withLock { state in
                defer { state.lastInventoryError = message }
                return state.lastInventoryError != message
            }
            if first { logger.warning("container stats: cannot list the running containers: \(message)") }
            containers = []
        }
        let snapshot = sample(containers, at: now())
        store.publish(snapshot)
    }

    private func sample(_ containers: [StatsContainer], at time: Date) -> StatsSnapshot {
        let mounts = state.withLock { $0.mounts } ?? discoverMounts()
        let machine = state.withLock { $0.machine } ?? discoverMachine()
        let nodeSample = sampleNode(mounts: mounts, at: time)
        let knownLocations = state.withLock { $0.locations }

        var locations: [String: CgroupLocation] = [:]
        var readings: [(StatsContainer, CgroupLocation, ContainerSample)] = []
        for container in containers {
            guard let location = knownLocations[container.id] ?? locate(container, mounts: mounts) else { continue }
            let cgroup = location.stats(in: fileSystem)
            guard cgroup.cpu != nil || cgroup.memory != nil else { continue }  // gone since the listing
            locations[container.id] = location
            let network = container.isInfra ? readNetwork(pid: container.pid) : nil
            let logBytes = container.logPath.flatMap(fileSystem.fileSize)
            readings.append((container, location, ContainerSample(time: time, cgroup: cgroup, network: network, logBytes: logBytes)))
        }

        return state.withLock { state in
            state.mounts = mounts
            state.machine = machine
            let node = state.node.map { $0.adding(nodeSample) } ?? SamplePair(latest: nodeSample)
            state.node = node
            var samples: [String: SamplePair<ContainerSample>] = [:]
            var sampled: [SampledContainer] = []
            for (container, location, reading) in readings {
                let pair = state.samples[container.id].map { $0.adding(reading) } ?? SamplePair(latest: reading)
                samples[container.id] = pair
                sampled.append(SampledContainer(container: container, cgroupName: location.name, samples: pair))
            }
            state.samples = samples
            state.locations = locations
            state.generation += 1
            sampled.sort(by: Self.order)
            return StatsSnapshot(
                nodeName: configuration.nodeName, machine: machine, node: node, containers: sampled, generation: state.generation)
        }
    }

    static func order(_ a: SampledContainer, _ b: SampledContainer) -> Bool {
        let a = a.container, b = b.container
        if a.podNamespace != b.podNamespace { return a.podNamespace < b.podNamespace }
        if a.podName != b.podName { return a.podName < b.podName }
        if a.podUID != b.podUID { return a.podUID < b.podUID }
        if a.isInfra != b.isInfra { return a.isInfra }
        return a.containerName < b.containerName
    }

    private func locate(_ container: StatsContainer, mounts: CgroupMounts) -> CgroupLocation? {
        guard container.pid > 0, let text = fileSystem.read("\(configuration.procRoot)/\(container.pid)/cgroup") else { return nil }
        return CgroupLocation.of(ProcessCgroups(parsing: text), mounts: mounts)
    }

    private func readNetwork(pid: Int) -> [NetworkInterfaceStats]? {
        fileSystem.read("\(configuration.procRoot)/\(pid)/net/dev").map { ProcNetDev.reported(ProcNetDev.parse($0)) }
    }

    private func discoverMounts() -> CgroupMounts {
        let mounts = CgroupMounts(parsingMountinfo: fileSystem.read("\(configuration.procRoot)/self/mountinfo") ?? "")
        logger.info(
            "container stats: cgroup \(mounts.version == .v1 ? "v1" : "v2")",
            metadata: ["cgroup.memory": "\(mounts.v1["memory"]?.mountPoint ?? mounts.unified?.mountPoint ?? "none")"])
        return mounts
    }

    private func discoverMachine() -> MachineInfo {
        let stat = fileSystem.read("\(configuration.procRoot)/stat") ?? ""
        let memory = Meminfo.parse(fileSystem.read("\(configuration.procRoot)/meminfo") ?? "")["MemTotal"] ?? 0
        return MachineInfo(
            cpuCores: ProcessInfo.processInfo.activeProcessorCount, memoryBytes: memory,
            bootTime: ProcFiles.bootTime(stat: stat) ?? Date(timeIntervalSince1970: 0))
    }

    private func sampleNode(mounts: CgroupMounts, at time: Date) -> NodeSample {
        let proc = configuration.procRoot
        var memory = fileSystem.read("\(proc)/meminfo").flatMap(Meminfo.memoryStats)
        if memory != nil, let vmstat = fileSystem.read("\(proc)/vmstat") {
            let values = KeyedValues(parsing: vmstat, keys: ["pgfault", "pgmajfault"])
            memory?.pageFaults = values["pgfault"] ?? 0
            memory?.majorPageFaults = values["pgmajfault"] ?? 0
        }
        let cpu = CgroupLocation.root(mounts: mounts)?.stats(in: fileSystem).cpu ?? fileSystem.read("\(proc)/stat").flatMap(ProcFiles.cpu)
        return NodeSample(
            time: time, cpu: cpu, memory: memory,
            network: fileSystem.read("\(proc)/self/net/dev").map { ProcNetDev.reported(ProcNetDev.parse($0)) } ?? [],
            rootFilesystem: fileSystem.filesystem(at: configuration.rootFilesystemPath),
            imageFilesystem: fileSystem.filesystem(at: configuration.imageFilesystemPath),
            maxPID: fileSystem.read("\(proc)/sys/kernel/pid_max").flatMap(UInt64.init(singleValue:)),
            processCount: fileSystem.read("\(proc)/loadavg").flatMap(ProcFiles.taskCount))
    }
}
