/// A volume of a pod. The sources modelled are `emptyDir`, `hostPath`, `secret`, `configMap`,
/// `downwardAPI` and `projected`; a volume of any other type (nfs, persistentVolumeClaim, ...)
/// decodes with no source, which validation reports.
public struct Volume: Sendable, Hashable, Codable {
    public var name: String?
    public var emptyDir: EmptyDirVolumeSource?
    public var hostPath: HostPathVolumeSource?
    public var secret: SecretVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var projected: ProjectedVolumeSource?

    public init(
        name: String? = nil, emptyDir: EmptyDirVolumeSource? = nil, hostPath: HostPathVolumeSource? = nil,
        secret: SecretVolumeSource? = nil, configMap: ConfigMapVolumeSource? = nil,
        downwardAPI: DownwardAPIVolumeSource? = nil, projected: ProjectedVolumeSource? = nil
    ) {
        self.name = name
        self.emptyDir = emptyDir
        self.hostPath = hostPath
        self.secret = secret
        self.configMap = configMap
        self.downwardAPI = downwardAPI
        self.projected = projected
    }

    /// The sources set, by their field names, for validation and messages.
    public var sourceNames: [String] {
        [
            ("emptyDir", emptyDir != nil), ("hostPath", hostPath != nil), ("secret", secret != nil),
            ("configMap", configMap != nil), ("downwardAPI", downwardAPI != nil), ("projected", projected != nil),
        ].filter(\.1).map(\.0)
    }
}

/// A scratch directory that lives as long as the pod.
public struct EmptyDirVolumeSource: Sendable, Hashable, Codable {
    /// "" (node disk) or "Memory" (tmpfs).
    public var medium: String?
    public var sizeLimit: Quantity?

    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// A file or directory of the node mounted into the pod.
public struct HostPathVolumeSource: Sendable, Hashable, Codable {
    public var path: String
    /// "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice" or
    /// "BlockDevice".
    public var type: String?

    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }
}
