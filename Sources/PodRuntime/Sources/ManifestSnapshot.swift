import KubeAPI

/// Everything the manifest directory asks for at one moment.
public struct ManifestSnapshot: Sendable, Hashable {
    public var pods: [Pod]
    public var services: [Service]
    /// Files that could not be used, with why (already logged).
    public var problems: [String: String]

    public init(pods: [Pod] = [], services: [Service] = [], problems: [String: String] = [:]) {
        self.pods = pods
        self.services = services
        self.problems = problems
    }
}
