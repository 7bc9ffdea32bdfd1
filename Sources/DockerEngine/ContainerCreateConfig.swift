/// The body of `POST /containers/create`: what to run and with which limits.
public struct ContainerCreateConfig: Sendable, Hashable, Codable {
    public var image: String
    public var hostname: String?
    /// `uid` or `uid:gid`; nil runs as the image's user.
    public var user: String?
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var env: [String]?
    public var workingDir: String?
    public var labels: [String: String]
    public var exposedPorts: [String: EmptyObject]?
    public var tty: Bool?
    public var openStdin: Bool?
    public var stopSignal: String?
    public var hostConfig: HostConfig

    public init(
        image: String, hostname: String? = nil, entrypoint: [String]? = nil, cmd: [String]? = nil,
        env: [String]? = nil, workingDir: String? = nil, labels: [String: String] = [:],
        exposedPorts: [String: EmptyObject]? = nil, tty: Bool? = nil, openStdin: Bool? = nil,
        stopSignal: String? = nil, hostConfig: HostConfig = HostConfig(), user: String? = nil
    ) {
        self.image = image
        self.user = user
        self.hostname = hostname
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.labels = labels
        self.exposedPorts = exposedPorts
        self.tty = tty
        self.openStdin = openStdin
        self.stopSignal = stopSignal
        self.hostConfig = hostConfig
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image", hostname = "Hostname", entrypoint = "Entrypoint", cmd = "Cmd", env = "Env"
        case workingDir = "WorkingDir", labels = "Labels", exposedPorts = "ExposedPorts", tty = "Tty"
        case openStdin = "OpenStdin", stopSignal = "StopSignal", hostConfig = "HostConfig", user = "User"
    }
}

/// Docker encodes sets as objects whose values are `{}`.
public struct EmptyObject: Sendable, Hashable, Codable {
    public init() {}
}

/// `HostConfig`: namespaces, cgroup limits, mounts. The agent owns restarts, so Docker's own
/// restart policy stays "no".
public struct HostConfig: Sendable, Hashable, Codable {
    public var networkMode: String?
    public var ipcMode: String?
    public var memory: Int64?
    public var memorySwap: Int64?
    public var cpuShares: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: Int64?
    public var binds: [String]?
    public var privileged: Bool?
    public var oomScoreAdj: Int?
    public var restartPolicy: RestartPolicy?
    public var dns: [String]?
    public var dnsSearch: [String]?
    public var capAdd: [String]?
    public var capDrop: [String]?
    public var readonlyRootfs: Bool?
    /// `no-new-privileges`, `seccomp=unconfined`, `seccomp=<profile JSON>`.
    public var securityOpt: [String]?
    /// Supplementary groups (numeric).
    public var groupAdd: [String]?
    /// "host" to share the node's process namespace.
    public var pidMode: String?
    /// `"80/tcp": [{HostIp, HostPort}]`: ports of the node forwarded to the container.
    public var portBindings: [String: [PortBinding]]?

    public init(
        networkMode: String? = nil, ipcMode: String? = nil, memory: Int64? = nil, memorySwap: Int64? = nil,
        cpuShares: Int64? = nil, cpuQuota: Int64? = nil, cpuPeriod: Int64? = nil, binds: [String]? = nil,
        privileged: Bool? = nil, oomScoreAdj: Int? = nil, restartPolicy: RestartPolicy? = RestartPolicy(name: "no"),
        dns: [String]? = nil, dnsSearch: [String]? = nil
    ) {
        self.networkMode = networkMode
        self.ipcMode = ipcMode
        self.memory = memory
        self.memorySwap = memorySwap
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.binds = binds
        self.privileged = privileged
        self.oomScoreAdj = oomScoreAdj
        self.restartPolicy = restartPolicy
        self.dns = dns
        self.dnsSearch = dnsSearch
    }

    public struct PortBinding: Sendable, Hashable, Codable {
        public var hostIP: String?
        public var hostPort: String
        public init(hostIP: String? = nil, hostPort: String) {
            self.hostIP = hostIP
            self.hostPort = hostPort
        }
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
    }

    public struct RestartPolicy: Sendable, Hashable, Codable {
        public var name: String
        public init(name: String) { self.name = name }
        enum CodingKeys: String, CodingKey { case name = "Name" }
    }

    enum CodingKeys: String, CodingKey {
        case networkMode = "NetworkMode", ipcMode = "IpcMode", memory = "Memory", memorySwap = "MemorySwap"
        case cpuShares = "CpuShares", cpuQuota = "CpuQuota", cpuPeriod = "CpuPeriod", binds = "Binds"
        case privileged = "Privileged", oomScoreAdj = "OomScoreAdj", restartPolicy = "RestartPolicy"
        case dns = "Dns", dnsSearch = "DnsSearch", capAdd = "CapAdd", capDrop = "CapDrop", readonlyRootfs = "ReadonlyRootfs"
        case securityOpt = "SecurityOpt", groupAdd = "GroupAdd", pidMode = "PidMode", portBindings = "PortBindings"
    }
}
