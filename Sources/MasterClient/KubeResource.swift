import KubeAPI

/// An API object with metadata, as lists and watches deliver them.
public protocol KubeResource: Codable, Sendable, Hashable {
    var metadata: ObjectMeta { get }
}

extension Pod: KubeResource {}
extension Service: KubeResource {}
extension Endpoints: KubeResource {}
extension Node: KubeResource {}

extension KubeResource {
    /// `namespace/name`, the key objects are stored under.
    public var storeKey: String { "\(metadata.namespace ?? "")/\(metadata.name ?? "")" }
}
