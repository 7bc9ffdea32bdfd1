/// What a pod should run (v1 `PodSpec`), limited to the fields a node agent acts on.
public struct PodSpec: Sendable, Hashable, Codable {
    public var containers: [Container]
    /// Run to completion, in order, before the app containers start.
    public var initContainers: [Container]?
    public var volumes: [Volume]?
    /// "Always", "OnFailure" or "Never"; defaulting makes it "Always".
    public var restartPolicy: RestartPolicy?
    /// Seconds between the stop signal and the kill; defaulting makes it 30.
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    /// "ClusterFirst", "ClusterFirstWithHostNet", "Default" or "None"; defaulting makes it "ClusterFirst".
    public var dnsPolicy: String?
    /// DNS parameters merged into what `dnsPolicy` gives (all there is with "None").
    public var dnsConfig: PodDNSConfig?
    public var nodeName: String?
    public var hostNetwork: Bool?
    /// Share the node's process namespace.
    public var hostPID: Bool?
    /// Share the node's IPC namespace.
    public var hostIPC: Bool?
    public var securityContext: PodSecurityContext?
    /// All containers of the pod in one process namespace (the infra container's).
    public var shareProcessNamespace: Bool?
    /// False asks for a user namespace, which the agent does not provide (refused by name).
    public var hostUsers: Bool?
    public var hostname: String?
    public var subdomain: String?
    public var serviceAccountName: String?
    /// False keeps the ServiceAccount admission from adding the token volume (over the
    /// service account's own setting).
    public var automountServiceAccountToken: Bool?
    public var nodeSelector: [String: String]?
    public var priority: Int32?

    public init(
        containers: [Container] = [],
        initContainers: [Container]? = nil,
        volumes: [Volume]? = nil,
        restartPolicy: RestartPolicy? = nil,
        terminationGracePeriodSeconds: Int64? = nil,
        activeDeadlineSeconds: Int64? = nil,
        dnsPolicy: String? = nil,
        nodeName: String? = nil,
        hostNetwork: Bool? = nil,
        hostPID: Bool? = nil,
        hostIPC: Bool? = nil,
        securityContext: PodSecurityContext? = nil,
        shareProcessNamespace: Bool? = nil,
        hostUsers: Bool? = nil,
        hostname: String? = nil,
        subdomain: String? = nil,
        serviceAccountName: String? = nil,
        automountServiceAccountToken: Bool? = nil,
        nodeSelector: [String: String]? = nil,
        priority: Int32? = nil,
        dnsConfig: PodDNSConfig? = nil
    ) {
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.dnsPolicy = dnsPolicy
        self.nodeName = nodeName
        self.hostNetwork = hostNetwork
        self.hostPID = hostPID
        self.hostIPC = hostIPC
        self.securityContext = securityContext
        self.shareProcessNamespace = shareProcessNamespace
        self.hostUsers = hostUsers
        self.hostname = hostname
        self.subdomain = subdomain
        self.serviceAccountName = serviceAccountName
        self.automountServiceAccountToken = automountServiceAccountToken
        self.nodeSelector = nodeSelector
        self.priority = priority
        self.dnsConfig = dnsConfig
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        containers = try container.decodeIfPresent([Container].self, forKey: .containers) ?? []
        initContainers = try container.decodeIfPresent([Container].self, forKey: .initContainers)
        volumes = try container.decodeIfPresent([Volume].self, forKey: .volumes)
        restartPolicy = try container.decodeIfPresent(RestartPolicy.self, forKey: .restartPolicy)
        terminationGracePeriodSeconds = try container.decodeIfPresent(
            Int64.self, forKey: .terminationGracePeriodSeconds)
        activeDeadlineSeconds = try container.decodeIfPresent(Int64.self, forKey: .activeDeadlineSeconds)
        dnsPolicy = try container.decodeIfPresent(String.self, forKey: .dnsPolicy)
        nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        hostNetwork = try container.decodeIfPresent(Bool.self, forKey: .hostNetwork)
        hostPID = try container.decodeIfPresent(Bool.self, forKey: .hostPID)
        hostIPC = try container.decodeIfPresent(Bool.self, forKey: .hostIPC)
        securityContext = try container.decodeIfPresent(PodSecurityContext.self, forKey: .securityContext)
        shareProcessNamespace = try container.decodeIfPresent(Bool.self, forKey: .shareProcessNamespace)
        hostUsers = try container.decodeIfPresent(Bool.self, forKey: .hostUsers)
        hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        subdomain = try container.decodeIfPresent(String.self, forKey: .subdomain)
        serviceAccountName = try container.decodeIfPresent(String.self, forKey: .serviceAccountName)
        automountServiceAccountToken = try container.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
        nodeSelector = try container.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        priority = try container.decodeIfPresent(Int32.self, forKey: .priority)
        dnsConfig = try container.decodeIfPresent(PodDNSConfig.self, forKey: .dnsConfig)
    }
}
