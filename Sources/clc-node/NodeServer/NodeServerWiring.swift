import AgentMetrics
import ContainerLogs
import DockerEngine
import KubeAPI
import Logging
import MasterClient
import NodeServer
import NodeStats
import NodeStreaming
import PodRuntime
import Synchronization

/// `/pods` and `/runningpods/` from the pod manager: every pod it keeps, with its last status;
/// the running ones are those with a running container.
struct PodManagerPods: NodePodsProvider {
    let manager: PodManager

    func version() async -> UInt64 { await manager.recordsVersion }

    func pods() async -> NodePods {
        let (version, records) = await manager.versionedSnapshot()
        let pods = records.map { record in
            var pod = record.pod
            pod.status = record.status
            return pod
        }
        .sorted { ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "") }
        return NodePods(version: version, items: pods)
    }

    func runningPods() async -> NodePods {
        var all = await pods()
        all.items.removeAll { pod in !(pod.status?.containerStatuses?.contains { $0.state?.running != nil } ?? false) }
        return all
    }
}

/// A pod sync that has run too long, for `/healthz`.
struct SyncLoopStuck: Error, CustomStringConvertible {
    var description: String
}

/// The service proxy's last sync, for `/healthz`.
final class ProxySyncHealth: Sendable {
    private let lastError = Mutex<String?>("no sync yet")

    func record(error: String?) { lastError.withLock { $0 = error } }

    struct Unhealthy: Error, CustomStringConvertible {
        var description: String
    }

    func check() throws {
        if let error = lastError.withLock({ $0 }) { throw Unhealthy(description: "last proxy sync: \(error)") }
    }
}

/// What the node API's `/stats/summary` and `/metrics*` render.
struct NodeMetricsSources {
    var stats: NodeStatsEndpoints
    var kubelet: KubeletMetrics
    var prober: ProberMetrics
}

extension Run {
    /// The node API server: pods, logs, exec/attach/port-forward, stats and metrics.
    func makeNodeServer(
        node: String, address: String?, engine: DockerClient, manager: PodManager, masterClient: MasterClient?,
        proxyHealth: ProxySyncHealth?, metrics: NodeMetricsSources, logger: Logger
    ) -> NodeServerService {
        let dockerAnswers = RecentCheck { _ = try await engine.version() }
        var checks = [HealthCheck(name: "docker") { try await dockerAnswers.run() }]
        if let proxyHealth { checks.append(HealthCheck(name: "proxy") { try proxyHealth.check() }) }
        checks.append(
            HealthCheck(name: "syncloop") {
                if let problem = await manager.syncLoopProblem() { throw SyncLoopStuck(description: problem) }
            })
        let endpoints = NodeEndpoints(
            pods: PodManagerPods(manager: manager),
            containerLogs: ContainerLogsService(pods: NodePodDirectory(manager: manager), source: engine),
            streaming: RemoteCommandResponder(
                resolver: NodeStreamTargets(manager: manager, engine: engine), containers: engine,
                logger: logger),
            statsSummary: metrics.stats.summary, metrics: metrics.kubelet.exposition, metricsCadvisor: metrics.stats.cadvisor,
            metricsResource: metrics.stats.resource, metricsProbes: metrics.prober.exposition,
            healthChecks: checks)
        let tokenReviewer: (any TokenReviewer)? =
            if nodeServer.authenticationTokenWebhook, let masterClient {
                CachingTokenReviewer(MasterTokenReviewer(client: masterClient))
            } else {
                nil
            }
        let authorizer: any Authorizer =
            if nodeServer.mode(hasMaster: masterClient != nil) == "Webhook", let masterClient {
                CachingAuthorizer(MasterSubjectAccessReviewer(client: masterClient))
            } else {
                AlwaysAllowAuthorizer()
            }
        let hostname = NodeAddress.hostname()
        let names = Array(Set([node, hostname].filter { !$0.isEmpty })).sorted { $0 == node ? true : $1 == node ? false : $0 < $1 }
        return NodeServerService(
            configuration: .init(
                nodeName: node, address: nodeServer.address, port: nodeServer.port, healthzBindAddress: nodeServer.healthzBindAddress,
                healthzPort: nodeServer.healthzPort == 0 ? nil : nodeServer.healthzPort, tlsCertificateFile: nodeServer.tlsCertFile,
                tlsPrivateKeyFile: nodeServer.tlsPrivateKeyFile, certificateDirectory: nodeServer.certDir ?? stateDirectory + "/pki",
                certificateHostnames: names, certificateAddresses: address.map { [$0] } ?? [], clientCAFile: nodeServer.clientCAFile,
                anonymousAuth: nodeServer.anonymousAuth),
            endpoints: endpoints, tokenReviewer: tokenReviewer, authorizer: authorizer, logger: logger)
    }
}
