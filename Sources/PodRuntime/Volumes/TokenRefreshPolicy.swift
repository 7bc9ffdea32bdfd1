import Foundation

/// When a service account token is renewed, as kubelet's token manager (`requiresRefresh`):
/// past 80 % of its life (expiry minus 20 % of the requested TTL, minus a jitter of up to 10 s),
/// once it is older than 24 h, or when the clock reads before its issue time.
public struct TokenRefreshPolicy: Sendable {
    public static let maximumAge: TimeInterval = 24 * 3600
    public static let maximumJitter: TimeInterval = 10

    public init() {}

    /// - Parameters:
    ///   - expiresAt: the expiry the TokenRequest answered.
    ///   - expirationSeconds: the TTL asked for (the issue time is `expiresAt - expirationSeconds`).
    ///   - jitter: 0 ..< ``maximumJitter``, chosen by the caller (tests pass a fixed one).
    public func requiresRefresh(expiresAt: Date, expirationSeconds: Int64, now: Date, jitter: TimeInterval) -> Bool {
        let ttl = TimeInterval(expirationSeconds)
        let issuedAt = expiresAt.addingTimeInterval(-ttl)
        if now < issuedAt { return true }
        if now > issuedAt.addingTimeInterval(Self.maximumAge - jitter) { return true }
        return now > expiresAt.addingTimeInterval(-(ttl * 0.2) - jitter)
    }

    /// When a token asked for with this TTL wants renewing, without jitter.
    public func refreshTime(expiresAt: Date, expirationSeconds: Int64) -> Date {
        let ttl = TimeInterval(expirationSeconds)
        return min(expiresAt.addingTimeInterval(-ttl * 0.2), expiresAt.addingTimeInterval(-ttl + Self.maximumAge))
    }
}
