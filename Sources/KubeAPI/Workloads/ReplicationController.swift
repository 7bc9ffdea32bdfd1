/// Keeps `replicas` copies of a pod template running (v1 `ReplicationController`).
///
/// Like `Pod`, `metadata` and `spec` decode as empty when absent, so they are not optional.
public struct ReplicationController: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ReplicationControllerSpec
    public var status: ReplicationControllerStatus?

    public init(
        apiVersion: String? = nil,
        kind: String? = nil,
        metadata: ObjectMeta = ObjectMeta(),
        spec: ReplicationControllerSpec = ReplicationControllerSpec(),
        status: ReplicationControllerStatus? = nil
    ) {
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
        spec = try container.decodeIfPresent(ReplicationControllerSpec.self, forKey: .spec)
            ?? ReplicationControllerSpec()
        status = try container.decodeIfPresent(ReplicationControllerStatus.self, forKey: .status)
    }
}
