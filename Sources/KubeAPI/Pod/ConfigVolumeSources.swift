/// One key of a secret or configMap projected into a file of a volume.
public struct KeyToPath: Sendable, Hashable, Codable {
    public var key: String
    /// The file's path relative to the volume (no `..`, not absolute).
    public var path: String
    /// The file's mode (0-0777); the volume's `defaultMode` when nil.
    public var mode: Int32?

    public init(key: String, path: String, mode: Int32? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// A secret's keys as files (v1 `SecretVolumeSource`).
public struct SecretVolumeSource: Sendable, Hashable, Codable {
    public var secretName: String?
    /// Only these keys, at these paths; every key when nil.
    public var items: [KeyToPath]?
    /// Defaulting makes it 0644 (420).
    public var defaultMode: Int32?
    /// A missing secret (or key) leaves the volume empty instead of holding the pod back.
    public var optional: Bool?

    public init(secretName: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil) {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// A configMap's keys (`data` and `binaryData`) as files (v1 `ConfigMapVolumeSource`).
public struct ConfigMapVolumeSource: Sendable, Hashable, Codable {
    public var name: String?
    public var items: [KeyToPath]?
    /// Defaulting makes it 0644 (420).
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// Fields of the pod as files (v1 `DownwardAPIVolumeSource`).
public struct DownwardAPIVolumeSource: Sendable, Hashable, Codable {
    public var items: [DownwardAPIVolumeFile]?
    /// Defaulting makes it 0644 (420).
    public var defaultMode: Int32?

    public init(items: [DownwardAPIVolumeFile]? = nil, defaultMode: Int32? = nil) {
        self.items = items
        self.defaultMode = defaultMode
    }
}

/// One file of a downward API volume: exactly one of `fieldRef` and `resourceFieldRef`.
public struct DownwardAPIVolumeFile: Sendable, Hashable, Codable {
    public var path: String
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?

    public init(path: String, fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil, mode: Int32? = nil) {
        self.path = path
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.mode = mode
    }
}

/// A container's resource limit or request (`limits.cpu`, `requests.memory`, ...), in units of
/// `divisor` (default 1).
public struct ResourceFieldSelector: Sendable, Hashable, Codable {
    /// Required in volumes; the container itself in environment variables.
    public var containerName: String?
    public var resource: String
    public var divisor: Quantity?

    public init(containerName: String? = nil, resource: String, divisor: Quantity? = nil) {
        self.containerName = containerName
        self.resource = resource
        self.divisor = divisor
    }
}

/// Several sources in one directory (v1 `ProjectedVolumeSource`): what the ServiceAccount
/// admission adds to every pod as `kube-api-access-xxxxx`.
public struct ProjectedVolumeSource: Sendable, Hashable, Codable {
    public var sources: [VolumeProjection]?
    /// Defaulting makes it 0644 (420).
    public var defaultMode: Int32?

    public init(sources: [VolumeProjection]? = nil, defaultMode: Int32? = nil) {
        self.sources = sources
        self.defaultMode = defaultMode
    }
}

/// One source of a projected volume: exactly one field is set.
public struct VolumeProjection: Sendable, Hashable, Codable {
    public var secret: SecretProjection?
    public var configMap: ConfigMapProjection?
    public var downwardAPI: DownwardAPIProjection?
    public var serviceAccountToken: ServiceAccountTokenProjection?

    public init(
        secret: SecretProjection? = nil, configMap: ConfigMapProjection? = nil, downwardAPI: DownwardAPIProjection? = nil,
        serviceAccountToken: ServiceAccountTokenProjection? = nil
    ) {
        self.secret = secret
        self.configMap = configMap
        self.downwardAPI = downwardAPI
        self.serviceAccountToken = serviceAccountToken
    }
}

public struct SecretProjection: Sendable, Hashable, Codable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.optional = optional
    }
}

public struct ConfigMapProjection: Sendable, Hashable, Codable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.optional = optional
    }
}

public struct DownwardAPIProjection: Sendable, Hashable, Codable {
    public var items: [DownwardAPIVolumeFile]?

    public init(items: [DownwardAPIVolumeFile]? = nil) {
        self.items = items
    }
}

/// A token of the pod's service account, requested by the node through the TokenRequest API
/// and renewed at 80 % of its life.
public struct ServiceAccountTokenProjection: Sendable, Hashable, Codable {
    /// Omitted: the API server's own audiences.
    public var audience: String?
    /// Defaulting makes it 3600; at least 600.
    public var expirationSeconds: Int64?
    public var path: String

    public init(audience: String? = nil, expirationSeconds: Int64? = nil, path: String) {
        self.audience = audience
        self.expirationSeconds = expirationSeconds
        self.path = path
    }
}
