/// A user as TokenReview answers it (authentication/v1 `UserInfo`).
public struct ReviewedUser: Sendable, Hashable {
    public var username: String
    public var uid: String
    public var groups: [String]
    public var extra: [String: [String]]

    public init(username: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }
}

/// One rule of the double's SubjectAccessReview policy: who may do what to which resource.
/// `"*"` (or nil for `subject`) matches anything; `subresource` "" matches only requests
/// without one.
public struct AccessRule: Sendable, Hashable {
    public enum Subject: Sendable, Hashable {
        case user(String)
        case group(String)
        case anyone
    }

    public var subject: Subject
    public var verb: String
    public var resource: String
    public var subresource: String
    /// The object's name ("*" for any), e.g. a node's.
    public var name: String

    public init(_ subject: Subject, verb: String = "*", resource: String, subresource: String = "*", name: String = "*") {
        self.subject = subject
        self.verb = verb
        self.resource = resource
        self.subresource = subresource
        self.name = name
    }

    func matches(user: String, groups: [String], verb: String, resource: String, subresource: String, name: String) -> Bool {
        let who: Bool =
            switch subject {
            case .user(let wanted): wanted == user
            case .group(let wanted): groups.contains(wanted)
            case .anyone: true
            }
        func fits(_ pattern: String, _ value: String) -> Bool { pattern == "*" || pattern == value }
        return who && fits(self.verb, verb) && fits(self.resource, resource) && fits(self.subresource, subresource)
            && fits(self.name, name)
    }
}

/// What the double's TokenReview and SubjectAccessReview endpoints answer from (the webhooks a
/// node server calls: REFERENCE 7). Empty at first: every token is unknown, every request denied.
public struct AuthPolicy: Sendable {
    /// Bearer token -> user.
    public var tokens: [String: ReviewedUser] = [:]
    /// Allow rules; a request no rule allows is denied (`allowed: false`, reason says so).
    public var rules: [AccessRule] = []
    /// Audiences echoed in a TokenReview's status.
    public var audiences: [String] = []

    public init(tokens: [String: ReviewedUser] = [:], rules: [AccessRule] = [], audiences: [String] = []) {
        self.tokens = tokens
        self.rules = rules
        self.audiences = audiences
    }
}
