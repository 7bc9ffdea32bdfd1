import Foundation

/// Sensitive data by key (v1 `Secret`). `data` holds base64 text as the API serves it;
/// ``bytes`` decodes it.
public struct Secret: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Write-only plain text merged into `data` by the API server.
    public var stringData: [String: String]?
    public var type: String?
    public var immutable: Bool?

    public init(
        apiVersion: String? = "v1", kind: String? = "Secret", metadata: ObjectMeta = ObjectMeta(),
        data: [String: String]? = nil, stringData: [String: String]? = nil, type: String? = nil, immutable: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }

    /// A secret holding `values` (encoded to base64 in `data`).
    public init(namespace: String, name: String, values: [String: [UInt8]]) {
        self.init(
            metadata: ObjectMeta(name: name, namespace: namespace),
            data: values.mapValues { Data($0).base64EncodedString() }, type: "Opaque")
    }

    /// Every key with its decoded bytes; `stringData` (not stored by a real server) over `data`.
    /// A value that is not base64 is left out.
    public var bytes: [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for (key, value) in data ?? [:] {
            if let decoded = Data(base64Encoded: value) { result[key] = Array(decoded) }
        }
        for (key, value) in stringData ?? [:] { result[key] = Array(value.utf8) }
        return result
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        data = try container.decodeIfPresent([String: String].self, forKey: .data)
        stringData = try container.decodeIfPresent([String: String].self, forKey: .stringData)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
    }
}
