import KubeAPI

/// Why an object a pod refers to could not be read (the master is unreachable, refuses, ...).
/// Not found is not an error: lookups answer nil.
public struct PodObjectError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Where a pod's secrets, configMaps and service account tokens come from: the master
/// (``MasterClient`` through the agent's adapter), or a recording fake in tests.
public protocol PodObjectSource: Sendable {
    /// The secret, or nil when the master has none of that name.
    func secret(namespace: String, name: String) async throws(PodObjectError) -> Secret?
    /// The configMap, or nil when the master has none of that name.
    func configMap(namespace: String, name: String) async throws(PodObjectError) -> ConfigMap?
    /// A new token for the service account (TokenRequest).
    func requestToken(namespace: String, serviceAccount: String, spec: TokenRequest.Spec) async throws(PodObjectError) -> TokenRequest.Status
}

/// The source of an agent without a master: static pods that refer to API objects wait, as
/// kubelet's do.
public struct NoMasterObjectSource: PodObjectSource {
    public init() {}

    public func secret(namespace: String, name: String) async throws(PodObjectError) -> Secret? {
        throw PodObjectError("cannot read secret \(namespace)/\(name): the agent has no master")
    }

    public func configMap(namespace: String, name: String) async throws(PodObjectError) -> ConfigMap? {
        throw PodObjectError("cannot read configmap \(namespace)/\(name): the agent has no master")
    }

    public func requestToken(namespace: String, serviceAccount: String, spec: TokenRequest.Spec) async throws(PodObjectError) -> TokenRequest.Status {
        throw PodObjectError("cannot request a token for service account \(namespace)/\(serviceAccount): the agent has no master")
    }
}
