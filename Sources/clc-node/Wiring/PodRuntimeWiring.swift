import AgentMetrics
import DockerEngine
import Logging
import MasterClient
import NodeStats
import PodRuntime

/// The node's pod runtime as `run` builds it: the syncer over an engine that reports its calls
/// to kubelet's metrics, and the pod manager that drives it.
struct PodRuntimeParts {
    let syncer: PodSyncer
    let manager: PodManager
    /// kubelet's own metrics, served on the node API's /metrics (kube-proxy's stay on
    /// --metrics-bind-address); the pod runtime reports its Docker calls through them.
    let kubeletMetrics: KubeletMetrics
    let proberMetrics: ProberMetrics
}

extension Run {
    /// The syncer and pod manager with the flags' settings; the manual pod network (when the
    /// hidden flags give one) is set up before the first sync.
    func makePodRuntime(
        engine: DockerClient, events: any EventRecorder, infraImage: InfraImageProvisioner, masterClient: MasterClient?,
        node: String, address: String?, logger: Logger
    ) async throws -> PodRuntimeParts {
        let kubeletMetrics = try KubeletMetrics(registry: MetricsRegistry(), nodeName: node, version: CLCNode.version)
        let proberMetrics = ProberMetrics()
        let runtimeRecorder = KubeletMetricsRecorder(kubeletMetrics)
        let instrumentedEngine = InstrumentedDockerEngine(engine, recorder: runtimeRecorder)
        let syncer = PodSyncer(
            engine: instrumentedEngine,
            configuration: .init(
                nodeName: node, nodeIP: address, infraImage: podInfraImage, stateDirectory: stateDirectory,
                crashLoopBackOff: BackOff(initial: .seconds(crashLoopBackOffInitial), maximum: .seconds(crashLoopBackOffMax)),
                imagePullBackOff: BackOff(initial: .seconds(crashLoopBackOffInitial), maximum: .seconds(crashLoopBackOffMax)),
                podNetwork: try manualPodNetwork(),
                podNetworkPending: flannel.isEnabled ? "waiting for the flannel subnet lease" : nil, allowPrivileged: allowPrivileged,
                dns: dns.settings),
            events: events, infraImage: infraImage, objects: masterClient.map { MasterPodObjects(client: $0) }, logger: logger)
        do {
            try await syncer.ensurePodNetwork()
        } catch where !error.isPending {
            logger.error("pod network not ready, pods wait for it: \(error)")
        } catch {}
        let manager = PodManager(
            syncer: syncer, engine: instrumentedEngine, nodeName: node, nodeIP: address,
            configuration: .init(resyncInterval: .seconds(resyncInterval)), logger: logger, recorder: runtimeRecorder,
            probeRecorder: ProberMetricsRecorder(proberMetrics))
        return PodRuntimeParts(syncer: syncer, manager: manager, kubeletMetrics: kubeletMetrics, proberMetrics: proberMetrics)
    }
}
