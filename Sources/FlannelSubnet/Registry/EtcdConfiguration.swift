/// How to reach etcd, field for field the agent's flags (flanneld's names).
public struct EtcdConfiguration: Sendable, Hashable {
    /// Which API flannel's keys live under.
    public enum APISelection: String, Sendable, Hashable, CaseIterable {
        case v2, v3
        /// The API under which `<prefix>/config` exists, v3 first.
        case auto
    }

    /// `--etcd-endpoints`: client URLs, tried in turn (`http://10.0.0.5:2379`).
    public var endpoints: [String]
    /// `--etcd-prefix`: the directory of flannel's keys, without trailing slash.
    public var prefix: String
    /// `--etcd-api`.
    public var api: APISelection
    /// `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`: PEM files for TLS.
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// `--etcd-username`, `--etcd-password`: v2 sends them as HTTP basic auth, v3 trades them for
    /// a token at `/v3/auth/authenticate`.
    public var username: String?
    public var password: String?
    /// Deadline of each plain request.
    public var requestTimeout: Duration

    public init(
        endpoints: [String], prefix: String = "/coreos.com/network", api: APISelection = .auto, caFile: String? = nil,
        certFile: String? = nil, keyFile: String? = nil, username: String? = nil, password: String? = nil,
        requestTimeout: Duration = .seconds(10)
    ) {
        self.endpoints = endpoints
        var prefix = prefix
        while prefix.count > 1, prefix.hasSuffix("/") { prefix.removeLast() }
        if !prefix.hasPrefix("/") { prefix = "/" + prefix }
        self.prefix = prefix
        self.api = api
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.username = username
        self.password = password
        self.requestTimeout = requestTimeout
    }

    /// `<prefix>/config`.
    public var configKey: String { prefix + "/config" }
    /// `<prefix>/subnets`, the directory of leases.
    public var subnetsKey: String { prefix + "/subnets" }
    public func leaseKey(_ subnet: IPv4Subnet) -> String { subnetsKey + "/" + subnet.leaseKeyName }
}
