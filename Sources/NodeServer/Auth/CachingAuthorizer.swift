/// Caches an ``Authorizer``'s answers per user and attributes: allowed for `allowedTTL` (5 min),
/// denied for `deniedTTL` (30 s), as kubelet's webhook authorizer does. A denial that says the
/// review failed (``AuthorizationDecision/deny(reason:)`` from an unreachable master, marked by
/// ``Authorizer`` implementations returning ``UncachedDenial``) is not cached.
public final class CachingAuthorizer: Authorizer {
    private struct Key: Hashable, Sendable {
        var user: UserInfo
        var attributes: AuthorizationAttributes
    }

    private let authorizer: any Authorizer
    private let allowedTTL: Duration
    private let deniedTTL: Duration
    private let cache: ExpiringCache<Key, AuthorizationDecision>

    public init(
        _ authorizer: any Authorizer, allowedTTL: Duration = .seconds(300), deniedTTL: Duration = .seconds(30),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.authorizer = authorizer
        self.allowedTTL = allowedTTL
        self.deniedTTL = deniedTTL
        self.cache = ExpiringCache(now: now)
    }

    public func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) async -> AuthorizationDecision {
        let key = Key(user: user, attributes: attributes)
        if let cached = cache.value(for: key) { return cached }
        let decision = await authorizer.authorize(user, attributes)
        switch decision {
        case .allow: cache.store(decision, for: key, ttl: allowedTTL)
        case .deny(let reason) where !reason.hasPrefix(UncachedDenial.prefix): cache.store(decision, for: key, ttl: deniedTTL)
        case .deny: break
        }
        return decision
    }
}

/// Marks a denial that comes from a failed review rather than an answer, so that it is not cached.
public enum UncachedDenial {
    public static let prefix = "authorization review failed: "

    public static func decision(_ message: String) -> AuthorizationDecision { .deny(reason: prefix + message) }
}
