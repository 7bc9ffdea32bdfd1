/// One line of `GET /events`.
public struct DockerEvent: Sendable, Hashable, Codable {
    /// container, image, network, ...
    public var type: String
    /// start, die, oom, kill, destroy, health_status, ...
    public var action: String
    public var actor: Actor
    public var timeNano: Int64?

    public init(type: String, action: String, actor: Actor, timeNano: Int64? = nil) {
        self.type = type
        self.action = action
        self.actor = actor
        self.timeNano = timeNano
    }

    public struct Actor: Sendable, Hashable, Codable {
        public var id: String
        /// The container's labels, plus `name`, `image` and, on die, `exitCode`.
        public var attributes: [String: String]

        public init(id: String, attributes: [String: String] = [:]) {
            self.id = id
            self.attributes = attributes
        }

        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
            attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        }
    }

    enum CodingKeys: String, CodingKey { case type = "Type", action = "Action", actor = "Actor", timeNano }
}
