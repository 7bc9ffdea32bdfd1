/// How many pods, which pods count, and what a new pod looks like.
public struct ReplicationControllerSpec: Sendable, Hashable, Codable {
    /// Defaulting makes it 1.
    public var replicas: Int32?
    /// Defaulting copies the template's labels when unset.
    public var selector: [String: String]?
    public var template: PodTemplateSpec?

    public init(replicas: Int32? = nil, selector: [String: String]? = nil, template: PodTemplateSpec? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}
