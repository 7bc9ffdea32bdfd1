/// `coordination.k8s.io/v1` Lease: the node's cheap heartbeat on masters that serve it.
public struct Lease: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: LeaseSpec?

    public init(apiVersion: String? = "coordination.k8s.io/v1", kind: String? = "Lease", metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(LeaseSpec.self, forKey: .spec)
    }
}

public struct LeaseSpec: Sendable, Hashable, Codable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int32?
    /// MicroTime: RFC 3339 with microseconds.
    public var renewTime: String?
    public var acquireTime: String?

    public init(holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, renewTime: String? = nil, acquireTime: String? = nil) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.renewTime = renewTime
        self.acquireTime = acquireTime
    }
}
