/// TokenReview and SubjectAccessReview (authentication.k8s.io/v1, authorization.k8s.io/v1):
/// create-only resources that answer in their `status` and are never stored.
extension APIHandler {
    func tokenReview(_ body: JSONValue) throws -> JSONValue {
        try Self.checkKind(body, kind: "TokenReview", apiVersion: "authentication.k8s.io/v1")
        guard let token = body[path: ["spec", "token"]]?.stringValue, !token.isEmpty else {
            throw APIStatusError(
                code: 422, reason: "Invalid", message: "TokenReview.authentication.k8s.io \"\" is invalid: spec.token: Required value")
        }
        let policy = settings.withLock { $0.auth }
        var status: JSONValue
        if let user = policy.tokens[token] {
            var extra: [String: JSONValue] = [:]
            for (key, values) in user.extra { extra[key] = .array(values.map(JSONValue.string)) }
            var info: JSONValue = ["username": .string(user.username), "groups": .array(user.groups.map(JSONValue.string))]
            if !user.uid.isEmpty { info["uid"] = .string(user.uid) }
            if !extra.isEmpty { info["extra"] = .object(extra) }
            status = ["authenticated": true, "user": info]
            let asked = body[path: ["spec", "audiences"]]?.arrayValue?.compactMap(\.stringValue) ?? []
            let audiences = asked.isEmpty ? policy.audiences : asked
            if !audiences.isEmpty { status["audiences"] = .array(audiences.map(JSONValue.string)) }
        } else if let review = reviewServiceAccountToken(
            token, audiences: body[path: ["spec", "audiences"]]?.arrayValue?.compactMap(\.stringValue) ?? [])
        {
            status = review
        } else {
            status = ["authenticated": false, "user": .object([:])]
        }
        var review = body
        review["metadata"] = ["creationTimestamp": .null]
        review["status"] = status
        return review
    }

    func subjectAccessReview(_ body: JSONValue) throws -> JSONValue {
        try Self.checkKind(body, kind: "SubjectAccessReview", apiVersion: "authorization.k8s.io/v1")
        guard let spec = body["spec"] else {
            throw APIStatusError(code: 422, reason: "Invalid", message: "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec: Required value")
        }
        let user = spec["user"]?.stringValue ?? ""
        let groups = spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let status: JSONValue
        if let attributes = spec["resourceAttributes"] {
            let verb = attributes["verb"]?.stringValue ?? ""
            let resource = attributes["resource"]?.stringValue ?? ""
            let subresource = attributes["subresource"]?.stringValue ?? ""
            let name = attributes["name"]?.stringValue ?? ""
            let rules = settings.withLock { $0.auth.rules }
            if rules.contains(where: { $0.matches(user: user, groups: groups, verb: verb, resource: resource, subresource: subresource, name: name) }) {
                status = ["allowed": true, "reason": "allowed by the master double's policy"]
            } else {
                let what = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
                status = [
                    "allowed": false,
                    "reason": .string("no rule of the master double's policy allows user \"\(user)\" to \(verb) \(what) \"\(name)\""),
                ]
            }
        } else if spec["nonResourceAttributes"] != nil {
            status = ["allowed": false, "reason": "the master double's policy has no rules for non-resource paths"]
        } else {
            throw APIStatusError(
                code: 422, reason: "Invalid",
                message: "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: "
                    + "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        var review = body
        review["metadata"] = ["creationTimestamp": .null]
        review["status"] = status
        return review
    }

    private static func checkKind(_ body: JSONValue, kind: String, apiVersion: String) throws {
        let givenKind = body["kind"]?.stringValue ?? kind
        let givenVersion = body["apiVersion"]?.stringValue ?? apiVersion
        guard givenKind == kind, givenVersion == apiVersion else {
            throw APIStatusError.badRequest("expected \(apiVersion) \(kind), got \(givenVersion) \(givenKind)")
        }
    }
}
