import Foundation
import KubeAPI
import MasterClient
import PodRuntime
import Synchronization

/// The pod runtime's secrets, configMaps and tokens from the master. Each object read is kept
/// for `ttl` (kubelet's cache-based change detection, whose TTL is a minute by default; ours is
/// shorter so changes reach containers within a resync or two): the pods of a namespace share
/// one GET of `kube-root-ca.crt` per `ttl`, not one per pod and sync.
final class MasterPodObjects: PodObjectSource {
    private struct Entry {
        var secret: Secret?
        var configMap: ConfigMap?
        var fetchedAt: ContinuousClock.Instant
    }

    private let client: MasterClient
    private let ttl: Duration
    private let cache = Mutex<[String: Entry]>([:])

    init(client: MasterClient, ttl: Duration = .seconds(5)) {
        self.client = client
        self.ttl = ttl
    }

    func secret(namespace: String, name: String) async throws(PodObjectError) -> Secret? {
        let key = "secret/\(namespace)/\(name)"
        if let entry = fresh(key) { return entry.secret }
        do {
            let secret = try await client.secret(namespace: namespace, name: name)
            cache.withLock { $0[key] = Entry(secret: secret, fetchedAt: .now) }
            return secret
        } catch {
            throw PodObjectError("\(error)")
        }
    }

    func configMap(namespace: String, name: String) async throws(PodObjectError) -> ConfigMap? {
        let key = "configmap/\(namespace)/\(name)"
        if let entry = fresh(key) { return entry.configMap }
        do {
            let configMap = try await client.configMap(namespace: namespace, name: name)
            cache.withLock { $0[key] = Entry(configMap: configMap, fetchedAt: .now) }
            return configMap
        } catch {
            throw PodObjectError("\(error)")
        }
    }

    func requestToken(namespace: String, serviceAccount: String, spec: TokenRequest.Spec) async throws(PodObjectError) -> TokenRequest.Status {
        do {
            return try await client.requestServiceAccountToken(namespace: namespace, serviceAccount: serviceAccount, spec: spec)
        } catch {
            throw PodObjectError("\(error)")
        }
    }

    private func fresh(_ key: String) -> Entry? {
        cache.withLock { cache in
            guard let entry = cache[key] else { return nil }
            if ContinuousClock.now - entry.fetchedAt < ttl { return entry }
            cache[key] = nil
            return nil
        }
    }
}
