/// A volume of a pod. Only `emptyDir` and `hostPath` sources are modelled; a volume of any other
/// type (configMap, secret, ...) decodes with no source, which validation reports.
public struct Volume: Sendable, Hashable, Codable {
    public var name: String?
    public var emptyDir: EmptyDirVolumeSource?
    public var hostPath: HostPathVolumeSource?

    public init(name: String? = nil, emptyDir: EmptyDirVolumeSource? = nil, hostPath: HostPathVolumeSource? = nil) {
        self.name = name
        self.emptyDir = emptyDir
        self.hostPath = hostPath
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
