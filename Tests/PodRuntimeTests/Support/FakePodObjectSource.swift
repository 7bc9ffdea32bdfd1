import Foundation
import KubeAPI
import PodRuntime
import Synchronization

/// Secrets, configMaps and tokens held in memory; records each TokenRequest.
final class FakePodObjectSource: PodObjectSource {
    struct Recorded: Sendable {
        var serviceAccount: String
        var spec: TokenRequest.Spec
    }

    private struct State {
        var secrets: [String: Secret] = [:]
        var configMaps: [String: ConfigMap] = [:]
        var tokenRequests: [Recorded] = []
        var failTokens = false
        var reads = 0
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    func put(_ secret: Secret) { state.withLock { $0.secrets["\(secret.metadata.namespace ?? "default")/\(secret.metadata.name ?? "")"] = secret } }
    func put(_ configMap: ConfigMap) {
        state.withLock { $0.configMaps["\(configMap.metadata.namespace ?? "default")/\(configMap.metadata.name ?? "")"] = configMap }
    }
    func failTokens(_ on: Bool) { state.withLock { $0.failTokens = on } }
    var tokenRequests: [Recorded] { state.withLock { $0.tokenRequests } }

    func secret(namespace: String, name: String) async throws(PodObjectError) -> Secret? {
        state.withLock { $0.secrets["\(namespace)/\(name)"] }
    }

    func configMap(namespace: String, name: String) async throws(PodObjectError) -> ConfigMap? {
        state.withLock { $0.configMaps["\(namespace)/\(name)"] }
    }

    func requestToken(namespace: String, serviceAccount: String, spec: TokenRequest.Spec) async throws(PodObjectError) -> TokenRequest.Status {
        let at = now()
        let result: Int? = state.withLock { state in
            if state.failTokens { return nil }
            state.tokenRequests.append(Recorded(serviceAccount: "\(namespace)/\(serviceAccount)", spec: spec))
            return state.tokenRequests.count
        }
        guard let count = result else { throw PodObjectError("the master refuses tokens") }
        return TokenRequest.Status(
            token: "token-\(count)", expirationTimestamp: KubeTime.format(at.addingTimeInterval(TimeInterval(spec.expirationSeconds ?? 3600))))
    }
}
