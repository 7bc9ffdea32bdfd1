/// An identity for processes in pods (v1 `ServiceAccount`).
public struct ServiceAccount: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    /// False keeps the token volume off pods that do not ask for it themselves.
    public var automountServiceAccountToken: Bool?

    public init(apiVersion: String? = "v1", kind: String? = "ServiceAccount", metadata: ObjectMeta = ObjectMeta(), automountServiceAccountToken: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.automountServiceAccountToken = automountServiceAccountToken
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        automountServiceAccountToken = try container.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
    }
}
