/// Which object a `Status` is about.
public struct StatusDetails: Sendable, Hashable, Codable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var retryAfterSeconds: Int32?

    public init(
        name: String? = nil,
        group: String? = nil,
        kind: String? = nil,
        uid: String? = nil,
        retryAfterSeconds: Int32? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.retryAfterSeconds = retryAfterSeconds
    }
}
