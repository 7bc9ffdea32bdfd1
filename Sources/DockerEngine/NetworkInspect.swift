/// `GET /networks/<id>` and the entries of `GET /networks`: the parts the agent reads.
public struct NetworkInspect: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var driver: String
    public var ipam: NetworkIPAM?
    public var options: [String: String]?
    public var labels: [String: String]?
    /// Attached containers by container ID (inspect fills it; the list leaves it empty).
    public var containers: [String: Endpoint]?

    public init(
        id: String, name: String, driver: String = "bridge", ipam: NetworkIPAM? = nil, options: [String: String]? = nil,
        labels: [String: String]? = nil, containers: [String: Endpoint]? = nil
    ) {
        self.id = id
        self.name = name
        self.driver = driver
        self.ipam = ipam
        self.options = options
        self.labels = labels
        self.containers = containers
    }

    /// A container's endpoint on the network.
    public struct Endpoint: Sendable, Hashable, Codable {
        public var name: String?
        /// `10.77.1.2/24`.
        public var ipv4Address: String?
        public init(name: String? = nil, ipv4Address: String? = nil) {
            self.name = name
            self.ipv4Address = ipv4Address
        }
        enum CodingKeys: String, CodingKey { case name = "Name", ipv4Address = "IPv4Address" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", driver = "Driver", ipam = "IPAM", options = "Options", labels = "Labels"
        case containers = "Containers"
    }

    /// The first IPAM pool's subnet and gateway.
    public var subnet: String? { ipam?.config?.first?.subnet }
    public var gateway: String? { ipam?.config?.first?.gateway }
}
