/// A list response (`PodList`, `ServiceList`, ...) of one item type.
///
/// `items` decodes as empty when absent or null, which some servers send for empty lists.
public struct ObjectList<Item: Codable & Sendable & Hashable>: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta?
    public var items: [Item]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta? = nil, items: [Item] = []) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata)
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}
