/// `GET /containers/<id>/json`, the parts the agent reads.
public struct ContainerInspect: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var created: String
    /// The image ID (`sha256:...`) the container runs.
    public var image: String
    public var state: State
    public var config: Config
    public var hostConfig: HostConfig?
    public var networkSettings: NetworkSettings?
    /// The host file the engine bind-mounts as the container's /etc/resolv.conf (shared by the
    /// containers that join its network).
    public var resolvConfPath: String?

    public init(id: String, name: String, created: String, image: String, state: State, config: Config, hostConfig: HostConfig? = nil, networkSettings: NetworkSettings? = nil, resolvConfPath: String? = nil) {
        self.id = id
        self.name = name
        self.created = created
        self.image = image
        self.state = state
        self.config = config
        self.hostConfig = hostConfig
        self.networkSettings = networkSettings
        self.resolvConfPath = resolvConfPath
    }

    public struct State: Sendable, Hashable, Codable {
        /// created, running, paused, restarting, removing, exited, dead.
        public var status: String
        public var running: Bool
        public var oomKilled: Bool
        public var pid: Int
        public var exitCode: Int
        public var error: String?
        public var startedAt: String
        public var finishedAt: String

        public init(status: String, running: Bool, oomKilled: Bool = false, pid: Int = 0, exitCode: Int = 0, error: String? = nil, startedAt: String = "0001-01-01T00:00:00Z", finishedAt: String = "0001-01-01T00:00:00Z") {
            self.status = status
            self.running = running
            self.oomKilled = oomKilled
            self.pid = pid
            self.exitCode = exitCode
            self.error = error
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }

        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", oomKilled = "OOMKilled", pid = "Pid"
            case exitCode = "ExitCode", error = "Error", startedAt = "StartedAt", finishedAt = "FinishedAt"
        }
    }

    public struct Config: Sendable, Hashable, Codable {
        public var image: String
        public var labels: [String: String]?
        public var env: [String]?

        public init(image: String, labels: [String: String]? = nil, env: [String]? = nil) {
            self.image = image
            self.labels = labels
            self.env = env
        }

        enum CodingKeys: String, CodingKey { case image = "Image", labels = "Labels", env = "Env" }
    }

    public struct NetworkSettings: Sendable, Hashable, Codable {
        public var ipAddress: String?
        public var networks: [String: Network]?

        public init(ipAddress: String? = nil, networks: [String: Network]? = nil) {
            self.ipAddress = ipAddress
            self.networks = networks
        }

        public struct Network: Sendable, Hashable, Codable {
            public var ipAddress: String?
            public init(ipAddress: String? = nil) { self.ipAddress = ipAddress }
            enum CodingKeys: String, CodingKey { case ipAddress = "IPAddress" }
        }

        enum CodingKeys: String, CodingKey { case ipAddress = "IPAddress", networks = "Networks" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", created = "Created", image = "Image", state = "State"
        case config = "Config", hostConfig = "HostConfig", networkSettings = "NetworkSettings"
        case resolvConfPath = "ResolvConfPath"
    }

    /// The container's address on its network, from the default bridge or any network.
    public var ipAddress: String? {
        if let ip = networkSettings?.ipAddress, !ip.isEmpty { return ip }
        return networkSettings?.networks?.values.compactMap(\.ipAddress).first { !$0.isEmpty }
    }

    /// The container's address on the network `name` (`NetworkSettings.Networks[name]`); on
    /// Docker's default bridge (`name` nil or `bridge`) the top-level `IPAddress`, which the
    /// engine leaves empty for containers on other networks.
    public func ipAddress(onNetwork name: String?) -> String? {
        guard let name, name != "bridge" else { return ipAddress }
        let address = networkSettings?.networks?[name]?.ipAddress
        return (address ?? "").isEmpty ? nil : address
    }

    public var labels: [String: String] { config.labels ?? [:] }
}
