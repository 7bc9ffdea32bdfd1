/// Everything the desired ruleset is computed from: the services with their ready endpoints, and
/// the node's settings. A value: the proxy keeps the last one it applied and diffs against it.
public struct ServiceProxyState: Sendable, Hashable {
    public var services: [ProxiedService]
    public var node: ProxyNodeSettings

    /// - Parameter services: NodePorts outside `node.nodePortRange` are dropped (``problems(in:nodePortRange:)``
    ///   says so once, by service and field).
    public init(services: [ProxiedService] = [], node: ProxyNodeSettings = ProxyNodeSettings()) {
        self.services = services.map { Self.served($0, node: node) }
        self.node = node
    }

    /// `service` as the node serves it: NodePorts outside `node.nodePortRange` dropped.
    public static func served(_ service: ProxiedService, node: ProxyNodeSettings) -> ProxiedService {
        var service = service
        for index in service.ports.indices {
            if let nodePort = service.ports[index].nodePort, !node.nodePortRange.contains(nodePort) {
                service.ports[index].nodePort = nil
            }
        }
        return service
    }
}
