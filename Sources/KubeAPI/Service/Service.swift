/// A stable virtual address for the pods its selector matches (v1 `Service`).
///
/// In modules that also import ServiceLifecycle, spell it `KubeAPI.Service`. Like `Pod`,
/// `metadata` and `spec` decode as empty when absent, so they are not optional.
public struct Service: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ServiceSpec
    public var status: ServiceStatus?

    public init(
        apiVersion: String? = nil,
        kind: String? = nil,
        metadata: ObjectMeta = ObjectMeta(),
        spec: ServiceSpec = ServiceSpec(),
        status: ServiceStatus? = nil
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
        spec = try container.decodeIfPresent(ServiceSpec.self, forKey: .spec) ?? ServiceSpec()
        status = try container.decodeIfPresent(ServiceStatus.self, forKey: .status)
    }
}
