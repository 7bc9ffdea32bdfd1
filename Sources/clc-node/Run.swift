import AgentMemory
import AgentMetrics
import AgentTime
import AgentWatchdog
import ArgumentParser
import CurlHTTP
import DockerEngine
import Foundation
import IPv4
import KubeAPI
import Logging
import MasterClient
import MasterSync
import NodeStats
import PodRuntime
import ServiceLifecycle
import ServiceProxy
import Synchronization

/// `clc-node run`: the agent itself.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the node agent until SIGTERM or SIGINT.",
        discussion: """
            Pods come from the manifest directory (like kubelet's static pods; replication \
            controllers there run their replicas on this node, services there give containers \
            their <NAME>_SERVICE_HOST variables). Stopping the agent leaves the pods running; \
            the next start adopts them.
            """)

    @Option(help: "A KubeletConfiguration file (kubelet.config.k8s.io/v1beta1, YAML or JSON); flags and CLC_NODE_* variables override its fields.")
    var config: String?

    @Option(name: .customLong("manifest-dir"), help: "Directory of pod, replication controller and service manifests (JSON or YAML).")
    var manifestDirectory: String?

    @Option(help: "The master's URL, e.g. http://10.0.0.1:8080 or https://master:6443.")
    var master: String?

    @Option(help: "A kubeconfig file with the master's server, certificate authority and client credentials (instead of --master).")
    var kubeconfig: String?

    @Option(help: "List pods from the master every N seconds instead of watching (0: watch).")
    var podPollInterval = 0

    @Option(help: "How often to write the node's status to the master, in seconds.")
    var nodeStatusInterval = 10

    @Option(help: "A watch that delivers nothing (not even a bookmark) for this many seconds is reconnected.")
    var watchIdleTimeout = 90

    @Option(name: .customLong("kube-api-qps"), help: "Requests per second to the master, on average.")
    var kubeAPIQPS = 50

    @Option(name: .customLong("kube-api-burst"), help: "Requests to the master allowed in a burst.")
    var kubeAPIBurst = 100

    @Option(help: "The Docker engine's unix socket.")
    var dockerSocket = "/var/run/docker.sock"

    @Option(help: "This node's name (default: the host name).")
    var nodeName: String?

    @Option(name: .customLong("node-ip"), help: "This node's address (default: the first non-loopback IPv4 address).")
    var nodeIP: String?

    @Option(name: .customLong("state-dir"), help: "Where pod volumes and agent state live.")
    var stateDirectory = "/var/lib/clc-node"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Image of the infra container that holds each pod's network namespace; built locally when missing.")
    var podInfraImage = "clc-node/pause:3.0"

    @Option(name: .customLong("service-cluster-ip-range"), help: "Range for cluster IPs of manifest services that name none.")
    var serviceClusterIPRange = "10.254.0.0/16"

    @Option(help: "First crash-loop back-off, in seconds (kubelet: 10).")
    var crashLoopBackOffInitial = 10

    @Option(help: "Longest crash-loop back-off, in seconds (kubelet: 300).")
    var crashLoopBackOffMax = 300

    @Option(help: "Sync every pod at least this often, in seconds, even without events.")
    var resyncInterval = 10

    @Option(help: "Service proxy: nftables (program ClusterIPs and NodePorts in table ip clc-proxy) or none.")
    var proxyMode = ProxyMode.nftables

    @Option(name: .customLong("cluster-cidr"), help: "The pod network of the cluster; connections to a cluster IP from outside it are masqueraded.")
    var clusterCIDR: String?

    @Flag(help: "Masquerade every connection to a cluster IP (also chosen when br_netfilter is unavailable).")
    var masqueradeAll = false

    @Option(help: "Accept the proxy's marked traffic in Docker's DOCKER-USER chain where dockerd manages iptables: true or false.")
    var dockerUserAccept = true

    @Option(
        help: """
            Every this many seconds, give the kernel back the pages of code and read-only data the agent stopped \
            using (after start-up, after a burst of pod starts) and malloc's free memory; 0: never.
            """)
    var memoryTrimInterval = 60

    @Option(help: "Where to serve Prometheus metrics (/metrics) and /healthz, host:port; empty: nowhere.")
    var metricsBindAddress = "127.0.0.1:10249"

    // MARK: Security policy (secure by default)

    @Option(help: "Let containers run with securityContext.privileged (kubelet's flag, the seed's KUBE_ALLOW_PRIV): true or false.")
    var allowPrivileged = false

    @Option(
        name: .customLong("service-node-port-range"),
        help: "NodePorts that services may ask for and the proxy programs, first-last (the API server's flag).",
        transform: { text in
            guard let range = NodePortRange.parse(text) else {
                throw ValidationError("--service-node-port-range: \"\(text)\" is not a range such as 30000-32767")
            }
            return range
        })
    var serviceNodePortRange: ClosedRange<Int32> = KubeAPI.Service.defaultNodePortRange

    // MARK: A pod network without flannel (hidden: tests and the two-node harness give each
    // node its subnet by hand; flannel's lease supplies it otherwise)

    @Option(name: .customLong("pod-network-subnet"), help: .hidden)
    var podNetworkSubnet: String?

    @Option(name: .customLong("pod-network-mtu"), help: .hidden)
    var podNetworkMTU = 1500

    @Option(name: .customLong("pod-network-bridge"), help: .hidden)
    var podNetworkBridge = "clcpod0"

    @Option(name: .customLong("pod-network-docker-masquerade"), help: .hidden)
    var podNetworkDockerMasquerade = true

    /// The pod network the hidden flags ask for; nil keeps pods on Docker's default bridge.
    func manualPodNetwork() throws -> PodNetwork? {
        guard let podNetworkSubnet else { return nil }
        do {
            return try PodNetwork(
                subnet: podNetworkSubnet, mtu: podNetworkMTU, bridgeName: podNetworkBridge,
                dockerMasquerade: podNetworkDockerMasquerade)
        } catch {
            throw ValidationError("--pod-network-subnet: \(error)")
        }
    }

    @OptionGroup(title: "Flannel network")
    var flannel: FlannelOptions

    @OptionGroup(title: "Node API server (kubelet's 10250 and 10248)")
    var nodeServer: NodeServerOptions

    @OptionGroup(title: "Cluster DNS (kubelet's flags)")
    var dns: ClusterDNSOptions

    /// The `CLC_NODE_*` variables `run` reads: one for each flag `--help` shows.
    static let environmentOptions = EnvironmentFlags.options(of: Run.self)

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: \"\(logLevel)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard crashLoopBackOffInitial > 0, crashLoopBackOffMax >= crashLoopBackOffInitial else {
            throw ValidationError("--crash-loop-back-off-initial must be > 0 and not above --crash-loop-back-off-max")
        }
        guard resyncInterval > 0 else { throw ValidationError("--resync-interval must be > 0") }
        guard memoryTrimInterval >= 0 else { throw ValidationError("--memory-trim-interval must be >= 0 (0: never)") }
        guard master == nil || kubeconfig == nil else { throw ValidationError("--master and --kubeconfig exclude each other") }
        if let master, !(master.hasPrefix("http://") || master.hasPrefix("https://")) {
            throw ValidationError("--master: \"\(master)\" must start with http:// or https://")
        }
        guard podPollInterval >= 0, nodeStatusInterval > 0, watchIdleTimeout > 0, kubeAPIQPS > 0, kubeAPIBurst > 0 else {
            throw ValidationError("--pod-poll-interval must be >= 0; --node-status-interval, --watch-idle-timeout, --kube-api-qps and --kube-api-burst > 0")
        }
        if !metricsBindAddress.isEmpty {
            do {
                _ = try BindAddress(parsing: metricsBindAddress)
            } catch {
                throw ValidationError("--metrics-bind-address: \(error)")
            }
        }
        if let clusterCIDR, IPv4CIDR(clusterCIDR) == nil {
            throw ValidationError("--cluster-cidr: \"\(clusterCIDR)\" is not an IPv4 CIDR such as 10.244.0.0/16")
        }
        do {
            _ = try ClusterIPAllocator(cidr: serviceClusterIPRange)
        } catch {
            throw ValidationError("--service-cluster-ip-range: \(error)")
        }
        _ = try manualPodNetwork()
        try nodeServer.validate(hasMaster: master != nil || kubeconfig != nil)
        if flannel.isEnabled {
            guard podNetworkSubnet == nil else { throw ValidationError("--pod-network-subnet and --etcd-endpoints exclude each other") }
            guard flannel.publicIP != nil || nodeIP != nil || NodeAddress.firstIPv4() != nil else {
                throw ValidationError("--public-ip: no address to publish; set --public-ip or --node-ip")
            }
        }
    }

    func run() async throws {
        MallocArenas.limit()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let journal = JournaldLogHandler.stderrIsJournal()
        LoggingSystem.bootstrap { label -> any LogHandler in
            if journal { return JournaldLogHandler(logLevel: level, identifier: "clc-node") }
            return TextLogHandler(logLevel: level, label: label, priorityPrefix: false)
        }
        let logger = Logger(label: "clc-node")
        let node = nodeName ?? NodeAddress.hostname()
        let address = nodeIP ?? NodeAddress.firstIPv4()
        for warning in StartupNotes.warnings.withLock({ $0 }) { logger.warning("\(warning)") }
        logger.info("effective configuration", metadata: effectiveConfiguration())
        logger.info(
            "clc-node \(CLCNode.version) starting",
            metadata: [
                "node.name": "\(node)", "node.ip": "\(address ?? "")", "docker.socket": "\(dockerSocket)",
                "manifest.dir": "\(manifestDirectory ?? "")", "state.dir": "\(stateDirectory)",
            ])
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)

        let engine = DockerClient(socketPath: dockerSocket)
        let notifier = SystemdNotifier(logger: logger)
        let socketPath = dockerSocket
        await notifier.report { (try? await engine.version()) == nil ? "Docker engine at \(socketPath) not answering" : nil }
        let version = await waitForEngine(engine, logger: logger, notifier: notifier)
        logger.info("docker engine reachable", metadata: ["docker.version": "\(version.version)", "docker.api": "\(version.apiVersion)"])

        let infraImage = InfraImageProvisioner(
            engine: engine, logger: logger)
        do {
            try await infraImage.ensure(podInfraImage)
        } catch {
            logger.error("infra image not available yet, pods wait for it: \(error)")
        }
        let masterClient = try makeMasterClient(logger: logger)
        let manifestUIDs = UIDSet()
        let events: any EventRecorder =
            if let masterClient {
                MasterEventRecorder(client: masterClient, nodeName: node, logger: logger) { manifestUIDs.contains($0) }
            } else {
                LoggingEventRecorder(logger: logger)
            }
        let runtime = try await makePodRuntime(
            engine: engine, events: events, infraImage: infraImage, masterClient: masterClient, node: node, address: address,
            logger: logger)
        let (syncer, manager) = (runtime.syncer, runtime.manager)

        var sources: Set<PodConfigSource> = []
        if manifestDirectory != nil { sources.insert(.file) }
        if masterClient != nil { sources.insert(.api) }
        let description = [manifestDirectory.map { "manifests in \($0)" }, masterClient.map { "master \($0.endpoint)" }]
            .compactMap { $0 }.joined(separator: " and ")
        let serving = "Serving pods from \(description.isEmpty ? "no source" : description)"
        let waiting = masterClient.map { "\(serving); waiting for the master at \($0.endpoint)" }
        let podConfig = PodConfig(
            sources: sources,
            milestones: .init(
                localSourcesApplied: {
                    // The node serves once its own sources are synced; an absent master must
                    // not keep static pods down, nor get the agent restarted by systemd.
                    logger.info("first pod sync started", metadata: ["sources": "\(description)"])
                    await notifier.markReady(status: waiting ?? serving)
                },
                allSourcesApplied: {
                    guard let masterClient else { return }
                    logger.info("the master's pods arrived", metadata: ["master": "\(masterClient.endpoint)"])
                    await notifier.status(serving)
                })
        ) { desired in await manager.apply(desired) }
        if manifestDirectory == nil, let waiting {
            logger.info("waiting for the master's pods", metadata: ["master": "\(masterClient.map { "\($0.endpoint)" } ?? "")"])
            await notifier.markReady(status: waiting)
        }

        var services: [any ServiceLifecycle.Service] = [manager, notifier]
        await notifier.watch(.podWorkers) { LivenessProbe.Answer(problem: await manager.syncLoopProblem()) }
        if let masterClient {
            await notifier.report { masterClient.isFailing ? "master \(masterClient.endpoint) not answering" : nil }
        }
        let metrics = MetricsRegistry()
        if !metricsBindAddress.isEmpty {
            services.append(MetricsServer(registry: metrics, configuration: .init(bindAddress: metricsBindAddress), logger: logger))
        }
        let proxyHealth = ProxySyncHealth()
        let proxy = makeServiceProxy(endpointsFromMaster: masterClient != nil, metrics: metrics, health: proxyHealth, logger: logger)
        if let proxy {
            await notifier.watch(.proxySync) { LivenessProbe.Answer(lateness: Lateness.owed(await proxy.owedSyncFor())) }
            services.append(proxy)
            if masterClient == nil { services.append(LocalPodFeed(manager: manager, proxy: proxy)) }
            if dockerUserAccept {
                services.append(DockerUserAcceptService(accept: DockerForwardAccept(mark: ProxyNodeSettings().masqueradeMark), logger: logger))
            }
        }
        let dockerRoot = (try? await engine.rootDirectory()) ?? "/var/lib/docker"
        let sampler = StatsSampler(
            configuration: .init(nodeName: node, imageFilesystemPath: dockerRoot),
            inventory: DockerContainerInventory(engine: engine, nodeName: node, dockerRootDirectory: dockerRoot), logger: logger)
        services.append(sampler)
        if memoryTrimInterval > 0 {
            services.append(MemoryTrimService(interval: .seconds(memoryTrimInterval), logger: logger))
        }
        let nodeServerService = makeNodeServer(
                node: node, address: address, engine: engine, manager: manager, masterClient: masterClient,
                proxyHealth: proxy == nil ? nil : proxyHealth,
                metrics: .init(stats: NodeStatsEndpoints(store: sampler.store), kubelet: runtime.kubeletMetrics, prober: runtime.proberMetrics),
                logger: logger)
        services.append(nodeServerService)
        let flannelNode: FlannelNode?
        if flannel.isEnabled {
            let node = try FlannelNode(
                options: flannel, publicIP: flannel.publicIP ?? address ?? "", stateDirectory: stateDirectory,
                dockerUserAccept: dockerUserAccept, setsProxyClusterCIDR: clusterCIDR == nil, syncer: syncer, proxy: proxy,
                logger: logger, podNetworkReady: { await manager.wakeAll() })
            services.append(node)
            flannelNode = node
            let schedule = node.lease.schedule
            await notifier.watch(.leaseRenewal) { LivenessProbe.Answer(lateness: Lateness.deadline(schedule.next, now: SteadyClock.process.now)) }
        } else {
            flannelNode = nil
        }
        let mirrorPods = masterClient.map { MirrorPodSyncer(client: $0, nodeName: node, logger: logger) }
        if let mirrorPods {
            services.append(mirrorPods)
            // Without a manifest directory there are no static pods: mirror pods left on the
            // master are orphans.
            if manifestDirectory == nil { await mirrorPods.update(staticPods: []) }
        }
        if let manifestDirectory {
            services.append(
                ManifestSource(
                    directory: manifestDirectory, nodeName: node, serviceRange: try ClusterIPAllocator(cidr: serviceClusterIPRange),
                    nodePortRange: serviceNodePortRange,
                    logger: logger
                ) { snapshot in
                    manifestUIDs.replace(with: snapshot.pods.compactMap(\.metadata.uid))
                    await mirrorPods?.update(staticPods: snapshot.pods)
                    if masterClient == nil { await proxy?.update(services: snapshot.services) }
                    await podConfig.update(.file, pods: snapshot.pods, services: snapshot.services)
                })
        }
        if let masterClient {
            services += masterServices(
                client: masterClient, manager: manager, podConfig: podConfig, proxy: proxy, mirrorPods: mirrorPods, flannelNode: flannelNode,
                nodeServer: nodeServerService, engine: engine, node: node, address: address, dockerVersion: version.version,
                logger: logger)
        }
        await podConfig.startWithoutSources()

        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("clc-node stopped; pods keep running")
    }

    /// The service proxy, unless `--proxy-mode none`; nil (logged, pods still run) when the
    /// kernel's nf_tables cannot be reached.
    private func makeServiceProxy(
        endpointsFromMaster: Bool, metrics: MetricsRegistry, health: ProxySyncHealth, logger: Logger
    ) -> ServiceProxyController? {
        guard proxyMode == .nftables else {
            logger.notice("service proxy disabled (--proxy-mode none)")
            return nil
        }
        var node = ProxyNodeSettings(clusterCIDR: clusterCIDR.flatMap { IPv4CIDR($0) }, masqueradeAll: masqueradeAll)
        node.nodePortRange = UInt16(serviceNodePortRange.lowerBound)...UInt16(serviceNodePortRange.upperBound)
        switch BridgeNetfilter.ensure() {
        case .enabled: break
        case .enabledNow: logger.notice("turned on \(BridgeNetfilter.path) so that pods reach pods on their bridge through cluster IPs")
        case .unavailable(let reason):
            logger.warning("\(reason); masquerading all cluster IP traffic so that pods reach pods on their bridge through cluster IPs")
            node.masqueradeAll = true
        }
        let writer: NetlinkRulesetWriter
        do {
            writer = try NetlinkRulesetWriter(logger: logger)
        } catch {
            logger.error("service proxy not started: \(error); pods run, but cluster IPs and NodePorts are not served")
            return nil
        }
        let conntrack = try? NetlinkConntrackTable(networkNamespace: nil, logger: logger)
        let proxyMetrics: ServiceProxyMetrics?
        do {
            proxyMetrics = try ServiceProxyMetrics(registry: metrics)
        } catch {
            logger.error("service proxy metrics not exported: \(error)")
            proxyMetrics = nil
        }
        return ServiceProxyController(
            configuration: .init(node: node, endpointsFromMaster: endpointsFromMaster), writer: writer, conntrack: conntrack,
            logger: logger
        ) { report in
            health.record(error: report.error.map { "\($0)" })
            guard let proxyMetrics else { return }
            if report.error != nil {
                proxyMetrics.recordFailure()
            } else if let kind = ProxySyncKind(rawValue: report.kind.rawValue) {
                proxyMetrics.record(kind: kind, duration: report.duration, at: report.finishedAt)
                if kind != .unchanged { proxyMetrics.recordNetworkProgramming(changedAt: report.changedAt, programmedAt: report.finishedAt) }
            }
        }
    }

    /// The master client from `--master` or `--kubeconfig`, if either is given.
    private func makeMasterClient(logger: Logger) throws -> MasterClient? {
        let configuration = MasterClient.Configuration(
            qps: Double(kubeAPIQPS), burst: kubeAPIBurst, watchIdleTimeout: .seconds(watchIdleTimeout))
        if let kubeconfig {
            let loaded = try Kubeconfig.load(path: kubeconfig, credentialsDirectory: stateDirectory + "/credentials")
            return MasterClient(kubeconfig: loaded, configuration: configuration, logger: logger)
        }
        if let master {
            return MasterClient(endpoint: HTTPEndpoint(baseURL: master), configuration: configuration, logger: logger)
        }
        return nil
    }

    /// Waits until the engine answers, telling systemd and the log why the node is not ready.
    private func waitForEngine(_ engine: DockerClient, logger: Logger, notifier: SystemdNotifier) async -> DockerVersion {
        var backOff = RetryBackOff(initial: .milliseconds(250), maximum: .seconds(5))
        var reported = false
        while true {
            do {
                return try await engine.version()
            } catch {
                if !reported {
                    logger.error("docker engine not reachable at \(dockerSocket), retrying: \(error)")
                    await notifier.status("Waiting for the Docker engine at \(dockerSocket)")
                    reported = true
                }
                try? await Task.sleep(for: backOff.next())
            }
        }
    }
}
