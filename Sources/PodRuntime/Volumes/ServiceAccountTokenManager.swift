import Foundation
import KubeAPI
import Logging

/// Keeps the service account tokens of projected volumes, one per (pod, service account,
/// audience, TTL), as kubelet's token manager: a cached token is served until
/// ``TokenRefreshPolicy`` wants it renewed; a failed renewal keeps serving the old token until
/// it expires.
public actor ServiceAccountTokenManager {
    struct Key: Hashable {
        var namespace: String
        var serviceAccount: String
        var podUID: String
        var audience: String
        var expirationSeconds: Int64
    }

    struct Cached {
        var token: String
        var expiresAt: Date
        var expirationSeconds: Int64
    }

    private let source: any PodObjectSource
    private let policy: TokenRefreshPolicy
    private let now: @Sendable () -> Date
    private let jitter: @Sendable () -> TimeInterval
    private let logger: Logger
    private var cache: [Key: Cached] = [:]

    public init(
        source: any PodObjectSource, policy: TokenRefreshPolicy = TokenRefreshPolicy(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        jitter: @escaping @Sendable () -> TimeInterval = { Double.random(in: 0..<TokenRefreshPolicy.maximumJitter) }
    ) {
        self.source = source
        self.policy = policy
        self.logger = logger
        self.now = now
        self.jitter = jitter
    }

    /// The token a projection of `pod` holds now.
    /// - Throws: ``PodObjectError`` when no token was ever obtained, or the last one expired.
    public func token(for projection: ServiceAccountTokenProjection, pod: Pod) async throws(PodObjectError) -> String {
        let namespace = pod.metadata.namespace ?? "default"
        let serviceAccount = (pod.spec.serviceAccountName ?? "").isEmpty ? "default" : pod.spec.serviceAccountName ?? "default"
        let seconds = projection.expirationSeconds ?? Volume.defaultTokenExpirationSeconds
        let key = Key(
            namespace: namespace, serviceAccount: serviceAccount, podUID: pod.metadata.uid ?? "",
            audience: projection.audience ?? "", expirationSeconds: seconds)
        let at = now()
        if let cached = cache[key],
            !policy.requiresRefresh(expiresAt: cached.expiresAt, expirationSeconds: cached.expirationSeconds, now: at, jitter: jitter())
        {
            return cached.token
        }
        let spec = TokenRequest.Spec(
            audiences: (projection.audience ?? "").isEmpty ? nil : [projection.audience ?? ""], expirationSeconds: seconds,
            boundObjectRef: .init(name: pod.metadata.name, uid: pod.metadata.uid))
        do {
            let status = try await source.requestToken(namespace: namespace, serviceAccount: serviceAccount, spec: spec)
            let expiresAt = KubeTime.parse(status.expirationTimestamp) ?? at.addingTimeInterval(TimeInterval(seconds))
            cache[key] = Cached(token: status.token, expiresAt: expiresAt, expirationSeconds: seconds)
            logger.debug(
                "service account token obtained",
                metadata: ["pod.uid": "\(key.podUID)", "serviceaccount": "\(namespace)/\(serviceAccount)", "token.expires": "\(status.expirationTimestamp)"])
            return status.token
        } catch {
            if let cached = cache[key], cached.expiresAt > at {
                logger.warning("cannot renew the token of service account \(namespace)/\(serviceAccount), keeping the current one until it expires: \(error)")
                return cached.token
            }
            throw PodObjectError("failed to fetch token: \(error)")
        }
    }

    /// When the earliest cached token of a pod wants renewing, for scheduling its next sync.
    public func nextRefresh(podUID: String) -> Date? {
        cache.filter { $0.key.podUID == podUID }.map { policy.refreshTime(expiresAt: $0.value.expiresAt, expirationSeconds: $0.value.expirationSeconds) }.min()
    }

    /// Drops the tokens of a pod that is gone.
    public func forget(podUID: String) {
        cache = cache.filter { $0.key.podUID != podUID }
    }
}
