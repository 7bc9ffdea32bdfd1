/// How a service is exposed and which pods back it.
public struct ServiceSpec: Sendable, Hashable, Codable {
    /// "ClusterIP", "NodePort", "LoadBalancer" or "ExternalName"; defaulting makes it "ClusterIP".
    public var type: String?
    /// The virtual IP, or "None" for a headless service.
    public var clusterIP: String?
    public var clusterIPs: [String]?
    public var ports: [ServicePort]?
    public var selector: [String: String]?
    /// "None" or "ClientIP"; defaulting makes it "None".
    public var sessionAffinity: String?
    public var sessionAffinityConfig: SessionAffinityConfig?
    /// "Cluster" or "Local", for NodePort and LoadBalancer services.
    public var externalTrafficPolicy: String?
    public var externalIPs: [String]?

    public init(
        type: String? = nil,
        clusterIP: String? = nil,
        clusterIPs: [String]? = nil,
        ports: [ServicePort]? = nil,
        selector: [String: String]? = nil,
        sessionAffinity: String? = nil,
        sessionAffinityConfig: SessionAffinityConfig? = nil,
        externalTrafficPolicy: String? = nil,
        externalIPs: [String]? = nil
    ) {
        self.type = type
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.ports = ports
        self.selector = selector
        self.sessionAffinity = sessionAffinity
        self.sessionAffinityConfig = sessionAffinityConfig
        self.externalTrafficPolicy = externalTrafficPolicy
        self.externalIPs = externalIPs
    }
}

/// Session affinity settings; only `clientIP` exists in v1.
public struct SessionAffinityConfig: Sendable, Hashable, Codable {
    public var clientIP: ClientIPConfig?

    public init(clientIP: ClientIPConfig? = nil) {
        self.clientIP = clientIP
    }
}

/// How long a client sticks to one endpoint; defaulting makes it 10800 s (3 h) for ClientIP.
public struct ClientIPConfig: Sendable, Hashable, Codable {
    public var timeoutSeconds: Int32?

    public init(timeoutSeconds: Int32? = nil) {
        self.timeoutSeconds = timeoutSeconds
    }
}
