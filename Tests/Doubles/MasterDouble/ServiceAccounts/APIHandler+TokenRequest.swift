import Foundation
import KubeAPI

/// `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token` (TokenRequest), as
/// kube-apiserver's service account token REST storage: the service account must exist, a
/// bound pod must exist with the UID given, `expirationSeconds` defaults to 3600 and is at
/// least 600, no audiences means the API server's own. For exactly 3607 s with the API
/// server's audiences the token itself lives a year while the answer reports 3607 s
/// (`--service-account-extend-token-expiration`, default true), so kubelet renews it on time
/// while a client that never re-reads its file keeps working.
///
/// Where it differs: the node restriction (a node may only ask for pods bound to itself) is not
/// checked, since the double does not know which node asks.
extension APIHandler {
    static let extendedTokenSeconds: Int64 = 3607
    static let extendedTokenLifetime: Int64 = 365 * 24 * 3600

    func serveTokenRequest(_ route: APIRoute, request: HTTPRequestMessage) throws -> (Int, JSONValue) {
        guard request.method == "POST", let name = route.name, let namespace = route.namespace else {
            throw APIStatusError.methodNotAllowed
        }
        let body = try Self.body(request)
        let kind = body["kind"]?.stringValue ?? "TokenRequest"
        let apiVersion = body["apiVersion"]?.stringValue ?? "authentication.k8s.io/v1"
        guard kind == "TokenRequest", apiVersion == "authentication.k8s.io/v1" else {
            throw APIStatusError.badRequest("expected authentication.k8s.io/v1 TokenRequest, got \(apiVersion) \(kind)")
        }
        let tokenRequest: TokenRequest
        do {
            tokenRequest = try body.decode(TokenRequest.self)
        } catch {
            throw APIStatusError.badRequest("TokenRequest in version \"v1\" cannot be handled as a TokenRequest: \(error)")
        }
        let seconds = tokenRequest.spec.expirationSeconds ?? 3600
        if seconds < 600 {
            throw APIStatusError(
                code: 422, reason: "Invalid",
                message: "TokenRequest.authentication.k8s.io \"\(name)\" is invalid: spec.expirationSeconds: "
                    + "Invalid value: \(seconds): may not specify a duration less than 10 minutes")
        }
        if seconds > 1 << 32 {
            throw APIStatusError(
                code: 422, reason: "Invalid",
                message: "TokenRequest.authentication.k8s.io \"\(name)\" is invalid: spec.expirationSeconds: "
                    + "Invalid value: \(seconds): may not specify a duration larger than 2^32 seconds")
        }
        let (account, pod): (JSONValue, JSONValue?) = try store.write { state in
            if name == "default" { try registry.ensureNamespaceDefaults(namespace, in: &state) }
            guard let account = state.get(.serviceaccounts, ObjectKey(namespace: namespace, name: name)) else {
                throw APIStatusError.notFound(.serviceaccounts, name)
            }
            var pod: JSONValue?
            if let bound = tokenRequest.spec.boundObjectRef {
                guard (bound.kind ?? "Pod") == "Pod" else {
                    throw APIStatusError.badRequest("cannot bind token to object of type \(bound.kind ?? "")")
                }
                guard let found = state.get(.pods, ObjectKey(namespace: namespace, name: bound.name ?? "")) else {
                    throw APIStatusError.notFound(.pods, bound.name ?? "")
                }
                if let uid = bound.uid, !uid.isEmpty, uid != found.uid {
                    throw APIStatusError(
                        code: 409, reason: "Conflict",
                        message: "the UID in the bound object reference (\(uid)) does not match the UID in record. "
                            + "The object might have been deleted and then recreated")
                }
                pod = found
            }
            return (account, pod)
        }
        let serverAudiences = settings.withLock { $0.auth.audiences }
        let defaultAudiences = serverAudiences.isEmpty ? [ServiceAccountTokenIssuer.issuer] : serverAudiences
        let asked = tokenRequest.spec.audiences ?? []
        let audiences = asked.isEmpty ? defaultAudiences : asked
        let issuedAt = Int64(registry.clock().timeIntervalSince1970)
        let reportedExpiry = issuedAt + seconds
        let extend = seconds == Self.extendedTokenSeconds && Set(audiences) == Set(defaultAudiences)
        let claims = ServiceAccountTokenIssuer.Claims(
            aud: audiences, exp: extend ? issuedAt + Self.extendedTokenLifetime : reportedExpiry, iat: issuedAt, nbf: issuedAt,
            iss: ServiceAccountTokenIssuer.issuer, sub: "system:serviceaccount:\(namespace):\(name)",
            kubernetes: .init(
                namespace: namespace, pod: pod.map { .init(name: $0.name ?? "", uid: $0.uid ?? "") },
                serviceaccount: .init(name: name, uid: account.uid ?? "")))
        var answer = body
        answer["kind"] = "TokenRequest"
        answer["apiVersion"] = "authentication.k8s.io/v1"
        answer["metadata"] = [
            "name": .string(name), "namespace": .string(namespace),
            "creationTimestamp": .string(KubeTime.format(Date(timeIntervalSince1970: TimeInterval(issuedAt)))),
        ]
        answer[path: ["spec", "audiences"]] = .array(audiences.map(JSONValue.string))
        answer[path: ["spec", "expirationSeconds"]] = .int(seconds)
        answer["status"] = [
            "token": .string(serviceAccountTokens.sign(claims)),
            "expirationTimestamp": .string(KubeTime.format(Date(timeIntervalSince1970: TimeInterval(reportedExpiry)))),
        ]
        return (201, answer)
    }

    /// TokenReview of a service account token this double signed: valid while unexpired, its
    /// service account exists with the same UID, and a bound pod still exists with its UID.
    /// - Returns: the review's `status`, or nil when the token is not one of ours.
    func reviewServiceAccountToken(_ token: String, audiences asked: [String]) -> JSONValue? {
        guard let claims = serviceAccountTokens.verify(token) else { return nil }
        let now = Int64(registry.clock().timeIntervalSince1970)
        let namespace = claims.kubernetes.namespace
        let alive = store.read { state -> Bool in
            guard let account = state.get(.serviceaccounts, ObjectKey(namespace: namespace, name: claims.kubernetes.serviceaccount.name)),
                account.uid == claims.kubernetes.serviceaccount.uid
            else { return false }
            if let pod = claims.kubernetes.pod {
                guard let found = state.get(.pods, ObjectKey(namespace: namespace, name: pod.name)), found.uid == pod.uid else { return false }
            }
            return true
        }
        let audiences = asked.isEmpty ? claims.aud : asked.filter(claims.aud.contains)
        guard alive, claims.exp > now, claims.nbf <= now + 60, !audiences.isEmpty else {
            return ["authenticated": false, "user": .object([:])]
        }
        var extra: [String: JSONValue] = [:]
        if let pod = claims.kubernetes.pod {
            extra["authentication.kubernetes.io/pod-name"] = [.string(pod.name)]
            extra["authentication.kubernetes.io/pod-uid"] = [.string(pod.uid)]
        }
        return [
            "authenticated": true,
            "user": [
                "username": .string(claims.sub), "uid": .string(claims.kubernetes.serviceaccount.uid),
                "groups": ["system:serviceaccounts", .string("system:serviceaccounts:\(namespace)"), "system:authenticated"],
                "extra": .object(extra),
            ],
            "audiences": .array(audiences.map(JSONValue.string)),
        ]
    }
}
