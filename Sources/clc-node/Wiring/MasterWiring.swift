import DockerEngine
import KubeAPI
import Logging
import MasterClient
import MasterSync
import NodeServer
import PodRuntime
import ServiceLifecycle
import ServiceProxy

extension Run {
    /// What a node joined to a master runs besides its pods: the reflectors of its pods,
    /// services and endpoints, the pod status reporter and the node status reporter.
    /// - Parameters:
    ///   - mirrorPods: the mirror pod syncer, which sees the master's pods too.
    ///   - nodeServer: the node API server, whose port the node status reports when `--port 0`.
    func masterServices(
        client: MasterClient, manager: PodManager, podConfig: PodConfig, proxy: ServiceProxyController?, mirrorPods: MirrorPodSyncer?,
        flannelNode: FlannelNode?, nodeServer nodeServerService: NodeServerService, engine: DockerClient, node: String,
        address: String?, dockerVersion: String, logger: Logger
    ) -> [any ServiceLifecycle.Service] {
        var services: [any ServiceLifecycle.Service] = []
        let poll = podPollInterval > 0 ? Duration.seconds(podPollInterval) : nil
        let statusReporter = PodStatusReporter(client: client, manager: manager, logger: logger)
        services.append(
            ReflectorService(
                Reflector<Pod>(
                    client: client, path: "/api/v1/pods", fieldSelector: "spec.nodeName=\(node)", pollInterval: poll, logger: logger
                ) { pods in
                    // The master's copy of the status goes to the reporter; the configuration drops it.
                    await statusReporter.observe(masterPods: pods)
                    await mirrorPods?.observe(masterPods: pods)
                    // Mirror pods stand for static pods on the master; they are never run.
                    await podConfig.update(.api, pods: pods.filter { !MirrorPod.isMirror($0) })
                }))
        services.append(
            ReflectorService(
                Reflector<KubeAPI.Service>(
                    client: client, path: "/api/v1/services", pollInterval: poll, logger: logger,
                    deliverWithDelta: { services, delta in
                        await proxy?.update(services: services, delta: delta)
                        await podConfig.update(.api, services: services)
                    })))
        if let proxy {
            services.append(EndpointsFeed(client: client, proxy: proxy, pollInterval: poll, logger: logger))
        }
        var statusConfiguration = NodeStatusReporter.Configuration(
            nodeName: node, nodeIP: address, runtimeVersion: "docker://\(dockerVersion)",
            agentVersion: "v\(CLCNode.version)-clc-node", interval: .seconds(nodeStatusInterval),
            daemonPort: Int32(nodeServer.port))
        if nodeServer.port == 0 {
            statusConfiguration.listeningDaemonPort = { Int32(await nodeServerService.listening().port) }
        }
        services.append(
            NodeStatusReporter(
                client: client,
                configuration: statusConfiguration,
                logger: logger, healthy: { (try? await engine.version()) != nil },
                network: flannelNode.map { node in { @Sendable in node.networkState } }))
        services.append(statusReporter)
        return services
    }
}
