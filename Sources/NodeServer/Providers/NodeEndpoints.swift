import StreamingProtocol

/// The body of a generated endpoint (`/stats/summary`, `/metrics`, ...), rendered per request.
public typealias NodeEndpointRenderer = @Sendable () async -> (contentType: String, body: [UInt8])

/// One named check behind `/healthz`: it throws when unhealthy, the error saying why.
public struct HealthCheck: Sendable {
    public var name: String
    public var check: @Sendable () async throws -> Void

    public init(name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}

/// Everything the node server serves that comes from the rest of the agent. A nil provider's
/// paths answer 404 naming what is not served on this node.
public struct NodeEndpoints: Sendable {
    /// `/pods` and `/runningpods/`.
    public var pods: (any NodePodsProvider)?
    /// `/containerLogs/{ns}/{pod}/{container}`.
    public var containerLogs: (any ContainerLogsProvider)?
    /// `/exec`, `/attach`, `/portForward` upgrades.
    public var streaming: (any StreamingResponder)?
    /// `/stats/summary`.
    public var statsSummary: NodeEndpointRenderer?
    /// `/metrics` (kubelet's own metrics).
    public var metrics: NodeEndpointRenderer?
    /// `/metrics/cadvisor`.
    public var metricsCadvisor: NodeEndpointRenderer?
    /// `/metrics/resource`.
    public var metricsResource: NodeEndpointRenderer?
    /// `/metrics/probes`.
    public var metricsProbes: NodeEndpointRenderer?
    /// The checks of `/healthz` on both listeners; none: always `ok`.
    public var healthChecks: [HealthCheck]

    public init(
        pods: (any NodePodsProvider)? = nil, containerLogs: (any ContainerLogsProvider)? = nil,
        streaming: (any StreamingResponder)? = nil, statsSummary: NodeEndpointRenderer? = nil, metrics: NodeEndpointRenderer? = nil,
        metricsCadvisor: NodeEndpointRenderer? = nil, metricsResource: NodeEndpointRenderer? = nil,
        metricsProbes: NodeEndpointRenderer? = nil, healthChecks: [HealthCheck] = []
    ) {
        self.pods = pods
        self.containerLogs = containerLogs
        self.streaming = streaming
        self.statsSummary = statsSummary
        self.metrics = metrics
        self.metricsCadvisor = metricsCadvisor
        self.metricsResource = metricsResource
        self.metricsProbes = metricsProbes
        self.healthChecks = healthChecks
    }
}
