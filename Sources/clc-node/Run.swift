import ArgumentParser
import DockerEngine
import Foundation
import Logging
import PodRuntime
import ServiceLifecycle

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

    @Option(name: .customLong("manifest-dir"), help: "Directory of pod, replication controller and service manifests (JSON or YAML).")
    var manifestDirectory: String?

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

    static let environmentOptions: [EnvironmentFlags.Option] = [
        "manifest-dir", "docker-socket", "node-name", "node-ip", "state-dir", "log-level", "pod-infra-image",
"service-cluster-ip-range", "crash-loop-back-off-initial", "crash-loop-back-off-max",
        "resync-interval",
    ].map { EnvironmentFlags.Option(name: $0) }

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: \"\(logLevel)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard crashLoopBackOffInitial > 0, crashLoopBackOffMax >= crashLoopBackOffInitial else {
            throw ValidationError("--crash-loop-back-off-initial must be > 0 and not above --crash-loop-back-off-max")
        }
        guard resyncInterval > 0 else { throw ValidationError("--resync-interval must be > 0") }
        do {
            _ = try ClusterIPAllocator(cidr: serviceClusterIPRange)
        } catch {
            throw ValidationError("--service-cluster-ip-range: \(error)")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let journal = JournaldLogHandler.stderrIsJournal()
        LoggingSystem.bootstrap { label -> any LogHandler in
            if journal { return JournaldLogHandler(logLevel: level, identifier: "clc-node") }
            return TextLogHandler(logLevel: level, label: label, priorityPrefix: false)
        }
        let logger = Logger(label: "clc-node")
        let node = nodeName ?? NodeAddress.hostname()
        let address = nodeIP ?? NodeAddress.firstIPv4()
        logger.info(
            "clc-node \(CLCNode.version) starting",
            metadata: [
                "node.name": "\(node)", "node.ip": "\(address ?? "")", "docker.socket": "\(dockerSocket)",
                "manifest.dir": "\(manifestDirectory ?? "")", "state.dir": "\(stateDirectory)",
            ])
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)

        let engine = DockerClient(socketPath: dockerSocket)
        let notifier = SystemdNotifier(logger: logger) {
            (try? await engine.version()) != nil
        }
        let version = await waitForEngine(engine, logger: logger, notifier: notifier)
        logger.info("docker engine reachable", metadata: ["docker.version": "\(version.version)", "docker.api": "\(version.apiVersion)"])

        let infraImage = InfraImageProvisioner(
            engine: engine, logger: logger)
        do {
            try await infraImage.ensure(podInfraImage)
        } catch {
            logger.error("infra image not available yet, pods wait for it: \(error)")
        }
        let syncer = PodSyncer(
            engine: engine,
            configuration: .init(
                nodeName: node, nodeIP: address, infraImage: podInfraImage, stateDirectory: stateDirectory,
                crashLoopBackOff: BackOff(initial: .seconds(crashLoopBackOffInitial), maximum: .seconds(crashLoopBackOffMax)),
                imagePullBackOff: BackOff(initial: .seconds(crashLoopBackOffInitial), maximum: .seconds(crashLoopBackOffMax))),
            events: LoggingEventRecorder(logger: logger), infraImage: infraImage, logger: logger)
        let manager = PodManager(
            syncer: syncer, engine: engine, nodeName: node, nodeIP: address,
            configuration: .init(resyncInterval: .seconds(resyncInterval)), logger: logger)

        var services: [any Service] = [manager, notifier]
        if let manifestDirectory {
            let source = ManifestSource(
                directory: manifestDirectory, nodeName: node, serviceRange: try ClusterIPAllocator(cidr: serviceClusterIPRange),
                logger: logger
            ) { snapshot in
                await manager.apply(pods: snapshot.pods, services: snapshot.services)
                await notifier.markReady(status: "Serving \(snapshot.pods.count) pods from \(manifestDirectory)")
            }
            services.append(source)
        } else {
            await manager.apply(pods: [], services: [])
            await notifier.markReady(status: "Serving, no pod source configured")
        }

        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("clc-node stopped; pods keep running")
    }

    /// Waits until the engine answers, telling systemd and the log why the node is not ready.
    private func waitForEngine(_ engine: DockerClient, logger: Logger, notifier: SystemdNotifier) async -> DockerVersion {
        var delay = Duration.milliseconds(250)
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
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
