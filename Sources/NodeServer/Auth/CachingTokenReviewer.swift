import Crypto

/// Caches a ``TokenReviewer``'s answers, both kinds, for `ttl` (apiserver's webhook token
/// authenticator: 2 min); failures to review are not cached. Tokens are kept only as SHA-256
/// digests.
public final class CachingTokenReviewer: TokenReviewer {
    private let reviewer: any TokenReviewer
    private let ttl: Duration
    private let cache: ExpiringCache<String, TokenReviewResult>

    public init(
        _ reviewer: any TokenReviewer, ttl: Duration = .seconds(120),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.reviewer = reviewer
        self.ttl = ttl
        self.cache = ExpiringCache(now: now)
    }

    public func review(token: String) async throws -> TokenReviewResult {
        let key = SHA256.hash(data: Array(token.utf8)).map { String($0, radix: 16) }.joined()
        if let cached = cache.value(for: key) { return cached }
        let result = try await reviewer.review(token: token)
        cache.store(result, for: key, ttl: ttl)
        return result
    }
}
