/// Checks a bearer token (`--authentication-token-webhook`): the master's TokenReview.
public protocol TokenReviewer: Sendable {
    /// - Returns: who the token belongs to, or why it does not authenticate.
    /// - Throws: when the review could not be made (the master is unreachable); not cached.
    func review(token: String) async throws -> TokenReviewResult
}

/// A ``TokenReviewer``'s answer.
public enum TokenReviewResult: Sendable, Hashable {
    case authenticated(UserInfo)
    case unauthenticated(reason: String)
}
