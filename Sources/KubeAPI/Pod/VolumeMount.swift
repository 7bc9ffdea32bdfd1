/// Mounts one of the pod's volumes into a container.
public struct VolumeMount: Sendable, Hashable, Codable {
    /// The name of a volume in `PodSpec.volumes`.
    public var name: String?
    public var mountPath: String?
    public var readOnly: Bool?
    /// A path inside the volume to mount instead of its root.
    public var subPath: String?

    public init(name: String? = nil, mountPath: String? = nil, readOnly: Bool? = nil, subPath: String? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
    }
}
