import MasterClient

/// ``TokenReviewer`` through the master: POST `/apis/authentication.k8s.io/v1/tokenreviews`.
/// Wrap it in ``CachingTokenReviewer``.
public struct MasterTokenReviewer: TokenReviewer {
    private let client: MasterClient

    public init(client: MasterClient) {
        self.client = client
    }

    public func review(token: String) async throws -> TokenReviewResult {
        let request = TokenReview(spec: .init(token: token))
        let answer = try await client.send(
            "POST", "/apis/authentication.k8s.io/v1/tokenreviews", request, as: TokenReview.self)
        guard let status = answer.status, status.authenticated == true, let user = status.user else {
            return .unauthenticated(reason: answer.status?.error.flatMap { $0.isEmpty ? nil : $0 } ?? "token not authenticated by the master")
        }
        return .authenticated(
            UserInfo(name: user.username ?? "", uid: user.uid ?? "", groups: user.groups ?? [], extra: user.extra ?? [:]))
    }
}

/// authentication.k8s.io/v1 TokenReview, the fields the node uses.
struct TokenReview: Codable, Sendable {
    struct Spec: Codable, Sendable {
        var token: String
        var audiences: [String]?
    }

    struct Status: Codable, Sendable {
        struct User: Codable, Sendable {
            var username: String?
            var uid: String?
            var groups: [String]?
            var extra: [String: [String]]?
        }

        var authenticated: Bool?
        var user: User?
        var audiences: [String]?
        var error: String?
    }

    var apiVersion = "authentication.k8s.io/v1"
    var kind = "TokenReview"
    var spec: Spec
    var status: Status?
}
