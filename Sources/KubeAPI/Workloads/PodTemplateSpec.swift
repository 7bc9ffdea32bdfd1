/// The pod a controller creates: metadata (labels) and spec, decoding as empty when absent.
public struct PodTemplateSpec: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: PodSpec

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec = PodSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PodSpec.self, forKey: .spec) ?? PodSpec()
    }
}
