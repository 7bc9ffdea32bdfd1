import FlannelBackend
import FlannelSubnet
import Foundation
import IPv4
import Logging
import MasterSync
import PodRuntime
import RouteNetlink
import ServiceLifecycle
import ServiceProxy
import Synchronization

/// flanneld's job inside the agent: the subnet lease (``SubnetLeaseService``) and, once it is
/// held, everything built from it — the Docker pod network pods join, the backend's routes (or
/// vxlan entries) to the other nodes' subnets, the ip-masq table, the DOCKER-USER accepts for
/// the flannel network, and the service proxy's cluster CIDR. Until then pods wait for their
/// network; what already runs is left alone.
final class FlannelNode: ServiceLifecycle.Service, Sendable {
    struct Settings: Sendable {
        var publicIP: String
        var iface: String?
        var ipMasq: Bool
        /// The proxy masquerades connections from outside this network (unless --cluster-cidr).
        var setsProxyClusterCIDR: Bool
        var dockerUserAccept: Bool
        /// Where the vxlan device's MAC is kept across reboots.
        var macStateFile: String
    }

    let lease: SubnetLeaseService
    private let settings: Settings
    private let netlink: Rtnetlink
    private let syncer: PodSyncer
    private let proxy: ServiceProxyController?
    private let podNetworkReady: @Sendable () async -> Void
    private let logger: Logger
    private let state = Mutex(
        NodeStatusReporter.NetworkState(unavailable: true, reason: "NoFlannelLease", message: "the flannel lease service has not started"))

    /// - Throws: `RouteNetlinkError` when the kernel's routing tables cannot be reached.
    init(
        options: FlannelOptions, publicIP: String, stateDirectory: String, dockerUserAccept: Bool, setsProxyClusterCIDR: Bool,
        syncer: PodSyncer, proxy: ServiceProxyController?, logger: Logger,
        podNetworkReady: @escaping @Sendable () async -> Void
    ) throws {
        let netlink = try Rtnetlink()
        let settings = Settings(
            publicIP: publicIP, iface: options.iface, ipMasq: options.ipMasq, setsProxyClusterCIDR: setsProxyClusterCIDR,
            dockerUserAccept: dockerUserAccept, macStateFile: stateDirectory + "/flannel-vtep-mac")
        guard let address = IPv4Address(publicIP) else {
            throw FlannelNodeError("public IP \"\(publicIP)\" is not an IPv4 address (--public-ip or --node-ip)")
        }
        self.settings = settings
        self.netlink = netlink
        self.syncer = syncer
        self.proxy = proxy
        self.podNetworkReady = podNetworkReady
        self.logger = logger
        lease = SubnetLeaseService(
            configuration: .init(
                publicIP: address, ipMasq: options.ipMasq, subnetFile: options.subnetFile,
                dockerOptionsFile: options.dockerOptionsFile.isEmpty ? nil : options.dockerOptionsFile,
                renewMarginMinutes: options.subnetLeaseRenewMargin),
            etcd: options.etcd, logger: logger
        ) { config in try Self.prepare(config, settings: settings, netlink: netlink) }
    }

    /// The Node's `NetworkUnavailable` condition: the lease's state until the pod network is up.
    var networkState: NodeStatusReporter.NetworkState { state.withLock { $0 } }

    // MARK: Before the lease

    /// What the backend decides before the lease is requested (flannel's RegisterNetwork): the
    /// pod network's MTU and, for vxlan, the VtepMAC the lease publishes.
    static func prepare(_ config: NetworkConfig, settings: Settings, netlink: any RoutingNetlink) throws -> BackendPreparation {
        guard let publicIP = IPv4Address(settings.publicIP) else {
            throw FlannelNodeError("public IP \"\(settings.publicIP)\" is not an IPv4 address")
        }
        let underlay = try BackendExecutor.underlay(named: settings.iface, holding: publicIP, netlink: netlink)
        switch config.backend {
        case .hostGateway:
            return BackendPreparation(mtu: Int(underlay.mtu))
        case .vxlan(let vxlan):
            let backend = backendSettings(vxlan, settings: settings)
            let mac = try BackendExecutor.vtepMAC(for: backend, netlink: netlink)
            let mtu = (vxlan.mtu ?? Int(underlay.mtu)) - Int(FlannelBackend.VXLANSettings.encapsulationOverhead)
            return BackendPreparation(
                backendData: .object(["VNI": .number(Double(vxlan.vni)), "VtepMAC": .string("\(mac)")]), mtu: mtu)
        }
    }

    private static func backendSettings(_ vxlan: FlannelSubnet.VXLANSettings, settings: Settings) -> FlannelBackend.VXLANSettings {
        FlannelBackend.VXLANSettings(
            vni: UInt32(vxlan.vni), port: UInt16(vxlan.port), underlayMTU: vxlan.mtu.map { UInt32($0) },
            macStateFile: settings.macStateFile)
    }

    // MARK: Service

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { try? await self.lease.run() }
            await cancelWhenGracefulShutdown { await self.follow() }
            group.cancelAll()
        }
    }

    /// What one lease set up: stopped when the lease moves to another subnet, or at shutdown.
    private struct Programmed {
        var subnet: IPv4Subnet
        var routing: LeaseRoutingService
        var tasks: [Task<Void, Never>]

        func stop() { for task in tasks { task.cancel() } }
    }

    private func follow() async {
        var programmed: Programmed?
        defer { programmed?.stop() }
        for await flannel in lease.publisher.updates() {
            guard let lease = flannel.lease, let config = flannel.config else {
                publish(flannel.networkUnavailable)
                continue
            }
            if programmed?.subnet != lease.subnet {
                programmed?.stop()
                programmed = await program(lease: lease, config: config, mtu: flannel.mtu)
            }
            programmed?.routing.update(remoteLeases(flannel.remoteLeases, excluding: lease.subnet))
        }
    }

    private func publish(_ condition: NetworkCondition) {
        state.withLock { $0 = .init(unavailable: condition.unavailable, reason: condition.reason, message: condition.message) }
    }

    /// Builds the node's share of the flannel network from `lease`.
    private func program(lease: SubnetLease, config: NetworkConfig, mtu: Int?) async -> Programmed? {
        guard let publicIP = IPv4Address(settings.publicIP) else { return nil }
        let (subnet, network) = (IPv4Network(lease.subnet), IPv4Network(config.network))
        let kind: BackendKind =
            switch config.backend {
            case .hostGateway: .hostGateway
            case .vxlan(let vxlan): .vxlan(Self.backendSettings(vxlan, settings: settings))
            }
        let executor = BackendExecutor(
            network: network, local: LocalLease(subnet: subnet, publicIP: publicIP), kind: kind, underlay: settings.iface,
            netlink: netlink, logger: logger)
        let routing = LeaseRoutingService(executor: executor, logger: logger)
        var tasks: [Task<Void, Never>] = [Task { try? await routing.run() }]
        if settings.ipMasq {
            do {
                let writer = try NetlinkRulesetWriter(logger: logger)
                let masquerade = IPMasqService(ruleset: IPMasqRules.ruleset(network: network, lease: subnet), writer: writer, logger: logger)
                tasks.append(Task { try? await masquerade.run() })
            } catch {
                logger.error("cannot write the ip-masq table: \(error); pod traffic leaving the flannel network is not masqueraded")
            }
        }
        if settings.dockerUserAccept {
            let accept = DockerUserAcceptService(accept: DockerForwardAccept(mark: nil, acceptedNetworks: ["\(network)"]), logger: logger)
            tasks.append(Task { try? await accept.run() })
        }
        if settings.setsProxyClusterCIDR, let proxy {
            await proxy.update(clusterCIDR: config.network)
        }
        logger.info(
            "flannel subnet leased",
            metadata: [
                "flannel.subnet": "\(lease.subnet)", "flannel.network": "\(config.network)", "flannel.backend": "\(config.backend.typeName)",
                "flannel.mtu": "\(mtu ?? 1500)",
            ])
        do {
            let podNetwork = try PodNetwork(subnet: "\(lease.subnet)", mtu: mtu ?? 1500, dockerMasquerade: !settings.ipMasq)
            try await syncer.setPodNetwork(podNetwork)
            // Pods waiting for their network start now, not at their next retry.
            await podNetworkReady()
            state.withLock {
                $0 = .init(
                    unavailable: false, reason: "FlannelIsUp",
                    message: "flannel subnet \(lease.subnet) of \(config.network) (\(config.backend.typeName)) is up on this node")
            }
        } catch {
            // Sync keeps setting it up; the node says why pods wait.
            logger.error("the pod network for flannel subnet \(lease.subnet) is not ready: \(error)")
            state.withLock { $0 = .init(unavailable: true, reason: "PodNetworkNotReady", message: "\(error)") }
        }
        return Programmed(subnet: lease.subnet, routing: routing, tasks: tasks)
    }

    private func remoteLeases(_ leases: [SubnetLease], excluding ours: IPv4Subnet) -> [RemoteLease] {
        leases.compactMap { lease in
            guard lease.subnet != ours else { return nil }
            let subnet = IPv4Network(lease.subnet)
            let publicIP = lease.attributes.publicIP
            var mac: String?
            if case .string(let text)? = lease.attributes.backendData?[member: "VtepMAC"] { mac = text }
            return RemoteLease(subnet: subnet, publicIP: publicIP, backendType: lease.attributes.backendType, vtepMAC: mac)
        }
    }
}

struct FlannelNodeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
