/// One entry of `GET /containers/json`.
public struct ContainerSummary: Sendable, Hashable, Codable {
    public var id: String
    public var names: [String]
    public var image: String
    public var imageID: String?
    /// Seconds since the epoch.
    public var created: Int64
    /// created, running, paused, restarting, removing, exited, dead.
    public var state: String
    public var labels: [String: String]

    public init(id: String, names: [String] = [], image: String, imageID: String? = nil, created: Int64, state: String, labels: [String: String]) {
        self.id = id
        self.names = names
        self.image = image
        self.imageID = imageID
        self.created = created
        self.state = state
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", imageID = "ImageID", created = "Created"
        case state = "State", labels = "Labels"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        names = try container.decodeIfPresent([String].self, forKey: .names) ?? []
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        imageID = try container.decodeIfPresent(String.self, forKey: .imageID)
        created = try container.decodeIfPresent(Int64.self, forKey: .created) ?? 0
        state = try container.decodeIfPresent(String.self, forKey: .state) ?? ""
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }
}
