/// The fields of kubelet's `KubeletConfiguration` (kubelet.config.k8s.io/v1beta1) that clc-node
/// acts on, with kubelet's names. Durations stay Go duration text, as the file writes them.
public struct KubeletConfiguration: Sendable, Hashable, Codable {
    public static let apiVersion = "kubelet.config.k8s.io/v1beta1"
    public static let kind = "KubeletConfiguration"

    public var apiVersion: String?
    public var kind: String?
    public var staticPodPath: String?
    public var address: String?
    public var port: Int?
    public var healthzBindAddress: String?
    public var healthzPort: Int?
    public var tlsCertFile: String?
    public var tlsPrivateKeyFile: String?
    public var authentication: Authentication?
    public var authorization: Authorization?
    public var clusterDNS: [String]?
    public var clusterDomain: String?
    public var resolvConf: String?
    public var syncFrequency: String?
    public var nodeStatusUpdateFrequency: String?
    public var kubeAPIQPS: Int?
    public var kubeAPIBurst: Int?

    public init() {}

    public struct Authentication: Sendable, Hashable, Codable {
        public var anonymous: Enabled?
        public var webhook: Enabled?
        public var x509: X509?
        public init(anonymous: Enabled? = nil, webhook: Enabled? = nil, x509: X509? = nil) {
            self.anonymous = anonymous
            self.webhook = webhook
            self.x509 = x509
        }
    }

    public struct Enabled: Sendable, Hashable, Codable {
        public var enabled: Bool?
        public init(enabled: Bool? = nil) { self.enabled = enabled }
    }

    public struct X509: Sendable, Hashable, Codable {
        public var clientCAFile: String?
        public init(clientCAFile: String? = nil) { self.clientCAFile = clientCAFile }
    }

    public struct Authorization: Sendable, Hashable, Codable {
        public var mode: String?
        public init(mode: String? = nil) { self.mode = mode }
    }

    /// The fields above by path, for telling the file's other fields apart.
    static let usedFields: Set<String> = [
        "apiVersion", "kind", "staticPodPath", "address", "port", "healthzBindAddress", "healthzPort", "tlsCertFile",
        "tlsPrivateKeyFile", "authentication", "authentication.anonymous", "authentication.anonymous.enabled",
        "authentication.webhook", "authentication.webhook.enabled", "authentication.x509", "authentication.x509.clientCAFile",
        "authorization", "authorization.mode", "clusterDNS", "clusterDomain", "resolvConf", "syncFrequency",
        "nodeStatusUpdateFrequency", "kubeAPIQPS", "kubeAPIBurst",
    ]

    /// Why some known kubelet fields are not used, for the warning that names them.
    static let unusedReasons: [String: String] = [
        "evictionHard": "clc-node evicts no pods (no eviction manager)",
        "evictionSoft": "clc-node evicts no pods (no eviction manager)",
        "evictionSoftGracePeriod": "clc-node evicts no pods (no eviction manager)",
        "evictionPressureTransitionPeriod": "clc-node evicts no pods (no eviction manager)",
        "evictionMaxPodGracePeriod": "clc-node evicts no pods (no eviction manager)",
        "evictionMinimumReclaim": "clc-node evicts no pods (no eviction manager)",
        "fileCheckFrequency": "the static pod directory is watched with inotify and rescanned every 2 s",
        "readOnlyPort": "clc-node serves no read-only port",
        "authentication.webhook.cacheTTL": "token reviews are not cached",
        "authorization.webhook": "authorization webhook caching is not configurable",
    ]
}
