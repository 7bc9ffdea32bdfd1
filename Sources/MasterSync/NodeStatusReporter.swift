import AgentTime
import Foundation
import KubeAPI
import Logging
import MasterClient
import ServiceLifecycle

/// Registers the node with the master and keeps its status fresh: every `interval` a strategic
/// merge patch of the status (heartbeat, capacity, addresses, node info), and, where the master
/// serves `coordination.k8s.io/v1`, the node Lease. A master that is down delays both; nothing
/// else waits for them.
public struct NodeStatusReporter: ServiceLifecycle.Service {
    public struct Configuration: Sendable {
        public var nodeName: String
        public var nodeIP: String?
        public var runtimeVersion: String
        public var agentVersion: String
        public var interval: Duration
        public var leaseDurationSeconds: Int32
        /// The port the master reaches the node's agent on (kubelet: 10250).
        public var daemonPort: Int32
        /// The port once the node server listens, when it was asked for any free one (`--port 0`);
        /// ``daemonPort`` is used when nil.
        public var listeningDaemonPort: (@Sendable () async -> Int32)?

        public init(
            nodeName: String, nodeIP: String?, runtimeVersion: String, agentVersion: String, interval: Duration = .seconds(10),
            leaseDurationSeconds: Int32 = 40, daemonPort: Int32 = 10250
        ) {
            self.nodeName = nodeName
            self.nodeIP = nodeIP
            self.runtimeVersion = runtimeVersion
            self.agentVersion = agentVersion
            self.interval = interval
            self.leaseDurationSeconds = leaseDurationSeconds
            self.daemonPort = daemonPort
        }
    }

    /// The node's pod network as the `NetworkUnavailable` condition reports it.
    public struct NetworkState: Sendable, Hashable {
        public var unavailable: Bool
        public var reason: String
        public var message: String

        public init(unavailable: Bool, reason: String, message: String) {
            self.unavailable = unavailable
            self.reason = reason
            self.message = message
        }
    }

    private let client: MasterClient
    private let configuration: Configuration
    private let healthy: @Sendable () async -> Bool
    private let network: (@Sendable () async -> NetworkState)?
    private let logger: Logger

    /// - Parameters:
    ///   - healthy: whether the node can run pods (the container engine answers).
    ///   - network: the pod network's state, when the agent provides the network (flannel);
    ///     without it the node reports no `NetworkUnavailable` condition, as kubelet.
    public init(
        client: MasterClient, configuration: Configuration, logger: Logger, healthy: @escaping @Sendable () async -> Bool,
        network: (@Sendable () async -> NetworkState)? = nil
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.healthy = healthy
        self.network = network
    }

    public func run() async throws {
        let name = configuration.nodeName
        var transitions: [String: (status: String, time: String)] = [:]
        var registered = false
        var leases: Bool?
        var lease: Lease?
        var renewTimes = LeaseRenewTimes()
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if failures > 0, registered {
                    // While the agent could not reach it, the master's node lifecycle controller
                    // may have set conditions to Unknown; as kubelet, which reads the node before
                    // each status update and computes transitions against it, a condition we now
                    // report differently moves at this moment. No status goes out before the
                    // master's node was read: a write that slipped through first would keep the
                    // old transition times.
                    try await adoptMasterConditions(into: &transitions)
                }
                let status = await makeStatus(transitions: &transitions)
                if !registered {
                    var node = Node(metadata: ObjectMeta(name: name, labels: [
                        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": status.nodeInfo?.architecture ?? "amd64",
                    ]))
                    node.spec = NodeSpec()
                    node.status = status
                    _ = try await client.registerNode(node)
                    registered = true
                    logger.info("node registered with the master", metadata: ["node.name": "\(name)"])
                }
                try await client.patchNodeStatus(name: name, status: status)
                if leases == nil { leases = try await client.servesLeases() }
                if leases == true {
                    lease = try await client.renewLease(
                        node: name, durationSeconds: configuration.leaseDurationSeconds,
                        now: renewTimes.next(wall: Date(), steady: SteadyClock.process.now), current: lease)
                }
                if failures > 0 { logger.notice("node status reaches the master again") }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 { logger.warning("cannot update node status: \(error)") }
                if error.isNotFound, registered {
                    // The node object was deleted: register again.
                    registered = false
                }
            }
            try? await Task.sleep(for: configuration.interval)
        }
    }

    /// Takes the master's condition statuses (and their times) where they differ from the ones
    /// last reported, so that the next status marks a transition for each of them.
    private func adoptMasterConditions(into transitions: inout [String: (status: String, time: String)]) async throws(MasterError) {
        let node = try await client.get(Node.self, "/api/v1/nodes/\(configuration.nodeName)")
        for condition in node.status?.conditions ?? [] where transitions[condition.type]?.status != condition.status {
            transitions[condition.type] = (condition.status, condition.lastTransitionTime ?? KubeTime.format(Date()))
        }
    }

    private func makeStatus(transitions: inout [String: (status: String, time: String)]) async -> NodeStatus {
        let now = KubeTime.format(Date())
        let ready = await healthy()
        func condition(_ type: String, _ value: Bool, _ reason: String, _ message: String) -> NodeCondition {
            let text = value ? "True" : "False"
            if transitions[type]?.status != text { transitions[type] = (text, now) }
            return NodeCondition(
                type: type, status: text, lastHeartbeatTime: now, lastTransitionTime: transitions[type]?.time, reason: reason, message: message)
        }
        var networkConditions: [NodeCondition] = []
        if let network, case let state = await network() {
            networkConditions.append(condition("NetworkUnavailable", state.unavailable, state.reason, state.message))
        }
        let capacity = NodeInfoProbe.capacity()
        var addresses = [NodeAddress(type: "Hostname", address: configuration.nodeName)]
        if let ip = configuration.nodeIP { addresses.insert(NodeAddress(type: "InternalIP", address: ip), at: 0) }
        return NodeStatus(
            capacity: capacity, allocatable: capacity,
            conditions: [
                condition("MemoryPressure", false, "KubeletHasSufficientMemory", "clc-node has sufficient memory available"),
                condition("DiskPressure", false, "KubeletHasNoDiskPressure", "clc-node has no disk pressure"),
                condition("PIDPressure", false, "KubeletHasSufficientPID", "clc-node has sufficient PID available"),
                ready
                    ? condition("Ready", true, "KubeletReady", "clc-node is posting ready status")
                    : condition("Ready", false, "KubeletNotReady", "container runtime is down"),
            ] + networkConditions,
            addresses: addresses,
            daemonEndpoints: NodeDaemonEndpoints(kubeletEndpoint: .init(Port: await configuration.listeningDaemonPort?() ?? configuration.daemonPort)),
            nodeInfo: NodeInfoProbe.systemInfo(runtimeVersion: configuration.runtimeVersion, agentVersion: configuration.agentVersion))
    }
}
