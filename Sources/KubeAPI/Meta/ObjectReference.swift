/// Refers to another object, such as the pod behind an endpoint address.
public struct ObjectReference: Sendable, Hashable, Codable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?

    public init(kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}
