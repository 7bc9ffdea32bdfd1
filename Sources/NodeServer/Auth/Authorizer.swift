/// Decides whether a user may do what a request asks (`--authorization-mode`).
public protocol Authorizer: Sendable {
    func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) async -> AuthorizationDecision
}

/// An ``Authorizer``'s answer.
public enum AuthorizationDecision: Sendable, Hashable {
    case allow
    /// Refused; `reason` is logged (the client sees only 403 with the attributes).
    case deny(reason: String)
}

/// `--authorization-mode AlwaysAllow`: every authenticated request may do anything.
public struct AlwaysAllowAuthorizer: Authorizer {
    public init() {}

    public func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) async -> AuthorizationDecision { .allow }
}
