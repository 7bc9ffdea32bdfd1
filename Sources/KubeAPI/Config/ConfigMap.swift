import Foundation

/// Configuration by key (v1 `ConfigMap`): text in `data`, bytes (base64) in `binaryData`.
public struct ConfigMap: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(
        apiVersion: String? = "v1", kind: String? = "ConfigMap", metadata: ObjectMeta = ObjectMeta(),
        data: [String: String]? = nil, binaryData: [String: String]? = nil, immutable: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }

    /// Every key of `data` and `binaryData` with its bytes.
    public var bytes: [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for (key, value) in binaryData ?? [:] {
            if let decoded = Data(base64Encoded: value) { result[key] = Array(decoded) }
        }
        for (key, value) in data ?? [:] { result[key] = Array(value.utf8) }
        return result
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        data = try container.decodeIfPresent([String: String].self, forKey: .data)
        binaryData = try container.decodeIfPresent([String: String].self, forKey: .binaryData)
        immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
    }
}
