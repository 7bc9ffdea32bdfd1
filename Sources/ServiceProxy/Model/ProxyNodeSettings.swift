import IPv4

/// What the proxy needs to know about the node it programs.
public struct ProxyNodeSettings: Sendable, Hashable {
    /// The network all pods of the cluster are in (flannel's `10.244.0.0/16`); connections to a
    /// cluster IP from outside it are masqueraded so replies come back through this node. When
    /// only this node's pod CIDR is known, pass that (kube-proxy's `--detect-local-mode=NodeCIDR`).
    /// Nil: no masquerading by source (kube-proxy without a local-traffic detector).
    public var clusterCIDR: IPv4CIDR?
    /// Masquerade every connection to a cluster IP (kube-proxy's `--masquerade-all`); pods on one
    /// bridge then reach each other through a cluster IP without br_netfilter. Default false.
    public var masqueradeAll: Bool
    /// The packet mark bit that asks for masquerading (kube-proxy's 0x4000, bit 14).
    public var masqueradeMark: UInt32
    /// The NodePorts the proxy programs (the API server's `--service-node-port-range`, default
    /// 30000-32767); a service asking for another (22, say) has that NodePort left out, so a
    /// Service can never take over a port of the node's own daemons.
    public var nodePortRange: ClosedRange<UInt16>

    public init(
        clusterCIDR: IPv4CIDR? = nil, masqueradeAll: Bool = false, masqueradeMark: UInt32 = 0x4000,
        nodePortRange: ClosedRange<UInt16> = 30000...32767
    ) {
        self.clusterCIDR = clusterCIDR
        self.masqueradeAll = masqueradeAll
        self.masqueradeMark = masqueradeMark
        self.nodePortRange = nodePortRange
    }
}
