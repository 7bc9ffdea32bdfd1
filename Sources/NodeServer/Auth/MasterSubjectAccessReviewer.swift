import MasterClient

/// ``Authorizer`` through the master (`--authorization-mode Webhook`): POST
/// `/apis/authorization.k8s.io/v1/subjectaccessreviews`. A failed review denies without being
/// cached (``UncachedDenial``). Wrap it in ``CachingAuthorizer``.
public struct MasterSubjectAccessReviewer: Authorizer {
    private let client: MasterClient

    public init(client: MasterClient) {
        self.client = client
    }

    public func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) async -> AuthorizationDecision {
        let request = SubjectAccessReview(spec: .init(user: user, attributes: attributes))
        do {
            let answer = try await client.send(
                "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", request, as: SubjectAccessReview.self)
            guard let status = answer.status else { return UncachedDenial.decision("the master's review has no status") }
            if status.allowed == true, status.denied != true { return .allow }
            if let error = status.evaluationError, !error.isEmpty, status.reason?.isEmpty ?? true {
                return .deny(reason: "evaluation error: \(error)")
            }
            return .deny(reason: status.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "no RBAC policy allows it")
        } catch {
            return UncachedDenial.decision("\(error)")
        }
    }
}

/// authorization.k8s.io/v1 SubjectAccessReview, the fields the node uses.
struct SubjectAccessReview: Codable, Sendable {
    struct ResourceAttributes: Codable, Sendable, Hashable {
        var namespace: String?
        var verb: String
        var group: String?
        var version: String
        var resource: String
        var subresource: String
        var name: String
    }

    struct Spec: Codable, Sendable {
        var resourceAttributes: ResourceAttributes
        var user: String
        var groups: [String]
        var extra: [String: [String]]?
        var uid: String?

        init(user: UserInfo, attributes: AuthorizationAttributes) {
            resourceAttributes = ResourceAttributes(
                verb: attributes.verb, group: attributes.apiGroup, version: attributes.apiVersion, resource: attributes.resource,
                subresource: attributes.subresource, name: attributes.name)
            self.user = user.name
            groups = user.groups
            extra = user.extra.isEmpty ? nil : user.extra
            uid = user.uid.isEmpty ? nil : user.uid
        }
    }

    struct Status: Codable, Sendable {
        var allowed: Bool?
        var denied: Bool?
        var reason: String?
        var evaluationError: String?
    }

    var apiVersion = "authorization.k8s.io/v1"
    var kind = "SubjectAccessReview"
    var spec: Spec
    var status: Status?
}
