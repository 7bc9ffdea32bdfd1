/// Everything read from one cgroup in one pass; a part is nil when its files could not be read.
public struct CgroupStats: Sendable, Equatable {
    public var cpu: CPUStats?
    public var memory: MemoryStats?
    public var spec: ResourceSpec

    public init(cpu: CPUStats? = nil, memory: MemoryStats? = nil, spec: ResourceSpec = .init()) {
        self.cpu = cpu
        self.memory = memory
        self.spec = spec
    }
}
