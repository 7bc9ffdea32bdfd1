/// The node's DNS settings for pods: kubelet's `--cluster-dns`, `--cluster-domain` and
/// `--resolv-conf`.
public struct ClusterDNS: Sendable, Hashable {
    /// The cluster's DNS servers (`--cluster-dns`); empty: none, and ClusterFirst pods fall back
    /// to the host's resolver with a MissingClusterDNS warning, as kubelet does.
    public var servers: [String]
    /// The cluster's domain (`--cluster-domain`); empty: no cluster search domains.
    public var domain: String
    /// The host resolver file that `dnsPolicy: Default` pods get (`--resolv-conf`); empty: none,
    /// and they resolve nothing (kubelet's 127.0.0.1 and search ".").
    public var resolvConfPath: String

    public static let defaultDomain = "cluster.local"
    public static let defaultResolvConfPath = "/etc/resolv.conf"

    public init(servers: [String] = [], domain: String = Self.defaultDomain, resolvConfPath: String = Self.defaultResolvConfPath) {
        self.servers = servers
        self.domain = domain
        self.resolvConfPath = resolvConfPath
    }
}
