import Foundation
import KubeAPI

/// Secrets, configMaps and service account tokens, for the volumes and environment of pods.
///
/// Objects are read with one GET each when a pod sync needs them (kubelet's `Get` change
/// detection, with the agent's short-lived cache in front) rather than watched: a node reads a
/// handful of objects its pods name, and a GET per object and resync keeps no watch per object
/// open on the master.
extension MasterClient {
    /// The secret, or nil when the namespace has none of that name.
    /// - Throws: ``MasterError`` for any other failure.
    public func secret(namespace: String, name: String) async throws(MasterError) -> Secret? {
        do {
            return try await get(Secret.self, "/api/v1/namespaces/\(namespace)/secrets/\(name)")
        } catch where error.isNotFound {
            return nil
        }
    }

    /// The configMap, or nil when the namespace has none of that name.
    /// - Throws: ``MasterError`` for any other failure.
    public func configMap(namespace: String, name: String) async throws(MasterError) -> ConfigMap? {
        do {
            return try await get(ConfigMap.self, "/api/v1/namespaces/\(namespace)/configmaps/\(name)")
        } catch where error.isNotFound {
            return nil
        }
    }

    /// Asks for a token of a service account (`POST .../serviceaccounts/<name>/token`), as
    /// kubelet's token manager does for projected volumes.
    /// - Returns: the token and its expiry.
    /// - Throws: ``MasterError``; a TokenRequest is not retried (each would mint a token).
    public func requestServiceAccountToken(
        namespace: String, serviceAccount: String, spec: TokenRequest.Spec
    ) async throws(MasterError) -> TokenRequest.Status {
        let path = "/api/v1/namespaces/\(namespace)/serviceaccounts/\(serviceAccount)/token"
        let label = "POST \(path)"
        let body = try encode(TokenRequest(spec: spec), label: label)
        let answer = try decode(TokenRequest.self, try await request("POST", path, body: body, idempotent: false), label: label)
        guard let status = answer.status, !status.token.isEmpty else {
            throw .decoding(request: label, message: "the answer carries no token")
        }
        return status
    }
}
