/// A slice of the endpoints of a service (`discovery.k8s.io/v1` EndpointSlice), written by
/// kube-controller-manager's EndpointSlice controller; several slices may back one service,
/// joined by the label ``serviceNameLabel``.
///
/// Like `Pod`, `metadata` decodes as empty when absent, so it is not optional.
public struct EndpointSlice: Sendable, Hashable, Codable {
    /// `kubernetes.io/service-name`: the service a slice belongs to (the join key).
    public static let serviceNameLabel = "kubernetes.io/service-name"
    /// `endpointslice.kubernetes.io/managed-by`: who maintains a slice.
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    /// The value of ``managedByLabel`` on the controller's slices.
    public static let controllerName = "endpointslice-controller.k8s.io"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String
    public var endpoints: [EndpointSliceEndpoint]
    /// Ports of every endpoint of the slice; nil or empty means none (no port is programmed).
    public var ports: [EndpointSlicePort]?

    public init(
        apiVersion: String? = "discovery.k8s.io/v1", kind: String? = "EndpointSlice", metadata: ObjectMeta = ObjectMeta(),
        addressType: String = "IPv4", endpoints: [EndpointSliceEndpoint] = [], ports: [EndpointSlicePort]? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        addressType = try container.decodeIfPresent(String.self, forKey: .addressType) ?? ""
        // The API server sends `null` for a slice without endpoints.
        endpoints = try container.decodeIfPresent([EndpointSliceEndpoint].self, forKey: .endpoints) ?? []
        ports = try container.decodeIfPresent([EndpointSlicePort].self, forKey: .ports)
    }

    /// The service this slice belongs to (its ``serviceNameLabel``), or nil.
    public var serviceName: String? { metadata.labels?[Self.serviceNameLabel] }
}

/// One endpoint of a slice: its addresses (one for IP address types) and conditions.
public struct EndpointSliceEndpoint: Sendable, Hashable, Codable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var nodeName: String?
    public var zone: String?
    public var targetRef: ObjectReference?
    public var hints: EndpointHints?

    public init(
        addresses: [String], conditions: EndpointConditions? = nil, hostname: String? = nil, nodeName: String? = nil,
        zone: String? = nil, targetRef: ObjectReference? = nil, hints: EndpointHints? = nil
    ) {
        self.addresses = addresses
        self.conditions = conditions
        self.hostname = hostname
        self.nodeName = nodeName
        self.zone = zone
        self.targetRef = targetRef
        self.hints = hints
    }
}

/// `ready`, `serving`, `terminating`. Absent values mean ready and serving, not terminating
/// (pkg/proxy/endpointslicecache.go): ``isReady``, ``isServing``, ``isTerminating`` apply that.
public struct EndpointConditions: Sendable, Hashable, Codable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?

    public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}

extension EndpointSliceEndpoint {
    /// `conditions.ready`, true when absent.
    public var isReady: Bool { conditions?.ready ?? true }
    /// `conditions.serving`, true when absent.
    public var isServing: Bool { conditions?.serving ?? true }
    /// `conditions.terminating`, false when absent.
    public var isTerminating: Bool { conditions?.terminating ?? false }
}

/// Topology hints: the zones (and nodes) an endpoint should serve.
public struct EndpointHints: Sendable, Hashable, Codable {
    public struct ForZone: Sendable, Hashable, Codable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public struct ForNode: Sendable, Hashable, Codable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public var forZones: [ForZone]?
    public var forNodes: [ForNode]?

    public init(forZones: [ForZone]? = nil, forNodes: [ForNode]? = nil) {
        self.forZones = forZones
        self.forNodes = forNodes
    }
}

/// A port of every endpoint of a slice. `port` is the pod's (target) port; `name` is the
/// service port's name ("" or absent for an unnamed port).
public struct EndpointSlicePort: Sendable, Hashable, Codable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int32?
    public var appProtocol: String?

    public init(name: String? = nil, protocol: String? = "TCP", port: Int32? = nil, appProtocol: String? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.appProtocol = appProtocol
    }
}
