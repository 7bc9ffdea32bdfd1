/// Points from a dependent object (a pod) to the object that manages it (a replication controller).
public struct OwnerReference: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    public var uid: String?
    /// True for the one owner that is the managing controller.
    public var controller: Bool?
    /// True when the owner cannot be deleted in the foreground before this dependent is.
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String? = nil,
        kind: String? = nil,
        name: String? = nil,
        uid: String? = nil,
        controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}
