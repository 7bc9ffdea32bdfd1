/// `GET /images/<name>/json`, the parts the agent reads.
public struct ImageInspect: Sendable, Hashable, Codable {
    public var id: String
    public var repoTags: [String]?
    public var repoDigests: [String]?
    public var labels: [String: String]? { config?.labels }
    public var config: Config?

    public init(id: String, repoTags: [String]? = nil, repoDigests: [String]? = nil, config: Config? = nil) {
        self.id = id
        self.repoTags = repoTags
        self.repoDigests = repoDigests
        self.config = config
    }

    public struct Config: Sendable, Hashable, Codable {
        public var labels: [String: String]?
        /// The user the image runs as (`USER`): "", a name, a uid, or either with `:group`.
        public var user: String?
        public init(labels: [String: String]? = nil, user: String? = nil) {
            self.labels = labels
            self.user = user
        }
        enum CodingKeys: String, CodingKey { case labels = "Labels", user = "User" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", repoDigests = "RepoDigests", config = "Config"
    }
}
