/// A container's security settings; only `privileged` is modelled, other fields are ignored.
public struct SecurityContext: Sendable, Hashable, Codable {
    public var privileged: Bool?

    public init(privileged: Bool? = nil) {
        self.privileged = privileged
    }
}
