import IPv4
import RouteNetlink
import ServiceProxy

/// flannel's ip-masq (`FLANNEL-POSTRTG`, pkg/trafficmngr/iptables) as a table of the agent's
/// own, `table ip clc-flannel`, written by the service proxy's nftables writer:
///
///     chain postrouting {
///         type nat hook postrouting priority srcnat;
///         meta mark & 0x00004000 == 0x00004000 return    # the proxy's masquerade mark: its own rule handles it
///         ip saddr 10.1.15.0/24 ip daddr 10.1.0.0/16 return       # our pods to pods: no NAT
///         ip saddr 10.1.0.0/16 ip daddr 10.1.15.0/24 return       # pods to our pods: no NAT
///         ip saddr != 10.1.0.0/16 ip daddr 10.1.15.0/24 return    # outside to our pods: no NAT
///         ip saddr 10.1.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random   # pods leaving the network
///         ip saddr != 10.1.0.0/16 ip daddr 10.1.0.0/16 masquerade fully-random   # outside to remote pods
///     }
public enum IPMasqRules {
    public static let table = "clc-flannel"
    public static let chain = "postrouting"

    /// - Parameters:
    ///   - network: the flannel network.
    ///   - lease: our lease's subnet.
    ///   - proxyMark: the proxy's masquerade mark bit (0x4000).
    public static func ruleset(network: IPv4Network, lease: IPv4Network, proxyMark: UInt32 = 0x4000) -> Ruleset {
        let net = network.cidr
        let ours = lease.cidr
        let multicast = IPv4CIDR("224.0.0.0/4")!
        let rules: [Rule] = [
            Rule(.markAnd(mask: proxyMark, equals: proxyMark), .verdict(.return)),
            Rule(.ip(.saddr, .equal, ours), .ip(.daddr, .equal, net), .verdict(.return)),
            Rule(.ip(.saddr, .equal, net), .ip(.daddr, .equal, ours), .verdict(.return)),
            Rule(.ip(.saddr, .notEqual, net), .ip(.daddr, .equal, ours), .verdict(.return)),
            Rule(.ip(.saddr, .equal, net), .ip(.daddr, .notEqual, multicast), .masquerade(fullyRandom: true)),
            Rule(.ip(.saddr, .notEqual, net), .ip(.daddr, .equal, net), .masquerade(fullyRandom: true)),
        ]
        let base = BaseChain(type: .nat, hook: .postrouting, priority: BaseChain.srcnat)
        return Ruleset(table: table, chains: [Chain(chain, base: base, rules: rules)])
    }
}
