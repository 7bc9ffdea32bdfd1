/// Who sent a request, as Kubernetes' authenticators name them.
public struct UserInfo: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var uid: String
    public var groups: [String]
    public var extra: [String: [String]]

    public init(name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// The user of a request that carries no credentials, when `--anonymous-auth` lets it in.
    public static let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])

    /// Every authenticated user is also in `system:authenticated` (apiserver's
    /// AuthenticatedGroupAdder).
    func addingAuthenticatedGroup() -> UserInfo {
        guard !groups.contains("system:authenticated") else { return self }
        var copy = self
        copy.groups.append("system:authenticated")
        return copy
    }

    public var description: String { name }
}
