/// Everything the desired ruleset is computed from: the services with their ready endpoints, and
/// the node's settings. A value: the proxy keeps the last one it applied and diffs against it.
public struct ServiceProxyState: Sendable, Hashable {
    public var services: [ProxiedService]
    public var node: ProxyNodeSettings

    public init(services: [ProxiedService] = [], node: ProxyNodeSettings = ProxyNodeSettings()) {
        self.services = services
        self.node = node
    }
}
