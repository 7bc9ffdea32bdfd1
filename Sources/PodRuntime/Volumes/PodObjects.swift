import KubeAPI

/// The API objects a pod's volumes and environment read, fetched before planning: a name
/// without an entry was not found.
public struct PodObjects: Sendable {
    public var secrets: [String: Secret]
    public var configMaps: [String: ConfigMap]
    /// Tokens by the projection that asked for them.
    public var tokens: [ServiceAccountTokenProjection: String]

    public init(
        secrets: [String: Secret] = [:], configMaps: [String: ConfigMap] = [:], tokens: [ServiceAccountTokenProjection: String] = [:]
    ) {
        self.secrets = secrets
        self.configMaps = configMaps
        self.tokens = tokens
    }
}

/// What a volume or container refers to, for the executor to fetch.
public struct PodObjectReferences: Sendable, Hashable {
    public var secrets: Set<String> = []
    public var configMaps: Set<String> = []
    public var tokens: [ServiceAccountTokenProjection] = []

    public init(secrets: Set<String> = [], configMaps: Set<String> = [], tokens: [ServiceAccountTokenProjection] = []) {
        self.secrets = secrets
        self.configMaps = configMaps
        self.tokens = tokens
    }

    public var isEmpty: Bool { secrets.isEmpty && configMaps.isEmpty && tokens.isEmpty }

    public mutating func formUnion(_ other: PodObjectReferences) {
        secrets.formUnion(other.secrets)
        configMaps.formUnion(other.configMaps)
        for token in other.tokens where !tokens.contains(token) { tokens.append(token) }
    }
}
