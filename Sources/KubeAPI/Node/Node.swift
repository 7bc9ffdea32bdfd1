/// A node (v1 `Node`): what the agent registers and keeps the status of.
public struct Node: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: NodeSpec?
    public var status: NodeStatus?

    public init(apiVersion: String? = "v1", kind: String? = "Node", metadata: ObjectMeta = ObjectMeta(), spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(NodeSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(NodeStatus.self, forKey: .status)
    }
}

public struct NodeSpec: Sendable, Hashable, Codable {
    public var podCIDR: String?
    public var unschedulable: Bool?
    public var providerID: String?

    public init(podCIDR: String? = nil, unschedulable: Bool? = nil, providerID: String? = nil) {
        self.podCIDR = podCIDR
        self.unschedulable = unschedulable
        self.providerID = providerID
    }
}

/// `NodeStatus`: capacity, conditions, addresses and what runs the node.
public struct NodeStatus: Sendable, Hashable, Codable {
    public var capacity: [String: Quantity]?
    public var allocatable: [String: Quantity]?
    public var conditions: [NodeCondition]?
    public var addresses: [NodeAddress]?
    public var daemonEndpoints: NodeDaemonEndpoints?
    public var nodeInfo: NodeSystemInfo?

    public init(
        capacity: [String: Quantity]? = nil, allocatable: [String: Quantity]? = nil, conditions: [NodeCondition]? = nil,
        addresses: [NodeAddress]? = nil, daemonEndpoints: NodeDaemonEndpoints? = nil, nodeInfo: NodeSystemInfo? = nil
    ) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.conditions = conditions
        self.addresses = addresses
        self.daemonEndpoints = daemonEndpoints
        self.nodeInfo = nodeInfo
    }
}

public struct NodeCondition: Sendable, Hashable, Codable {
    public var type: String
    public var status: String
    public var lastHeartbeatTime: String?
    public var lastTransitionTime: String?
    public var reason: String?
    public var message: String?

    public init(type: String, status: String, lastHeartbeatTime: String? = nil, lastTransitionTime: String? = nil, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

public struct NodeAddress: Sendable, Hashable, Codable {
    public var type: String
    public var address: String

    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}

public struct NodeDaemonEndpoints: Sendable, Hashable, Codable {
    public struct DaemonEndpoint: Sendable, Hashable, Codable {
        public var Port: Int32
        public init(Port: Int32) { self.Port = Port }
    }

    public var kubeletEndpoint: DaemonEndpoint?
    public init(kubeletEndpoint: DaemonEndpoint? = nil) { self.kubeletEndpoint = kubeletEndpoint }
}

public struct NodeSystemInfo: Sendable, Hashable, Codable {
    public var machineID: String
    public var systemUUID: String
    public var bootID: String
    public var kernelVersion: String
    public var osImage: String
    public var containerRuntimeVersion: String
    public var kubeletVersion: String
    public var kubeProxyVersion: String
    public var operatingSystem: String
    public var architecture: String

    public init(
        machineID: String = "", systemUUID: String = "", bootID: String = "", kernelVersion: String = "", osImage: String = "",
        containerRuntimeVersion: String = "", kubeletVersion: String = "", kubeProxyVersion: String = "",
        operatingSystem: String = "linux", architecture: String = "amd64"
    ) {
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.containerRuntimeVersion = containerRuntimeVersion
        self.kubeletVersion = kubeletVersion
        self.kubeProxyVersion = kubeProxyVersion
        self.operatingSystem = operatingSystem
        self.architecture = architecture
    }
}
