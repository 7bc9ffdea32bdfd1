/// The body of `POST /networks/create` (API 1.41): a bridge network with one IPv4 pool.
public struct NetworkCreateConfig: Sendable, Hashable, Codable {
    public var name: String
    /// Refuse a second network of the same name (the engine allows duplicates otherwise).
    public var checkDuplicate: Bool
    public var driver: String
    public var ipam: NetworkIPAM
    /// Driver options, e.g. ``NetworkOptions/bridgeName``.
    public var options: [String: String]
    public var labels: [String: String]

    public init(
        name: String, driver: String = "bridge", ipam: NetworkIPAM, options: [String: String] = [:],
        labels: [String: String] = [:], checkDuplicate: Bool = true
    ) {
        self.name = name
        self.checkDuplicate = checkDuplicate
        self.driver = driver
        self.ipam = ipam
        self.options = options
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", checkDuplicate = "CheckDuplicate", driver = "Driver", ipam = "IPAM"
        case options = "Options", labels = "Labels"
    }
}

/// A network's address management: the driver (`default`) and its pools.
public struct NetworkIPAM: Sendable, Hashable, Codable {
    public var driver: String?
    public var config: [Pool]?

    public init(driver: String? = "default", config: [Pool]?) {
        self.driver = driver
        self.config = config
    }

    /// One pool: `Subnet` (CIDR) and its `Gateway` (the bridge's address).
    public struct Pool: Sendable, Hashable, Codable {
        public var subnet: String?
        public var gateway: String?
        public init(subnet: String?, gateway: String?) {
            self.subnet = subnet
            self.gateway = gateway
        }
        enum CodingKeys: String, CodingKey { case subnet = "Subnet", gateway = "Gateway" }
    }

    enum CodingKeys: String, CodingKey { case driver = "Driver", config = "Config" }
}

/// The bridge driver's option names, as `docker network create -o` takes them.
public enum NetworkOptions {
    /// The Linux bridge device's name.
    public static let bridgeName = "com.docker.network.bridge.name"
    /// The MTU of the bridge and of the containers' interfaces.
    public static let mtu = "com.docker.network.driver.mtu"
    /// Whether dockerd masquerades traffic leaving the subnet (flannel's `--ip-masq=false` for
    /// Docker when flannel masquerades itself).
    public static let enableIPMasquerade = "com.docker.network.bridge.enable_ip_masquerade"
    /// Whether containers on the bridge reach each other (Docker's `--icc`).
    public static let enableICC = "com.docker.network.bridge.enable_icc"
}
