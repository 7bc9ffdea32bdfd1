import AgentTime
import Foundation
import IPv4
import Logging
import ServiceLifecycle

/// flanneld's lease half, as a long-running service: waits for `<prefix>/config`, acquires the
/// node's subnet lease, writes subnet.env and the Docker options file, renews the lease before
/// it expires, follows the other nodes' leases, and takes its lease back when it disappears.
/// It never ends because of etcd: failures are logged and retried (flanneld exits 0 when its
/// lease is revoked, which `Restart=on-failure` leaves dead).
///
/// Everything it knows is published through ``publisher`` as complete ``FlannelState`` values.
public final class SubnetLeaseService: ServiceLifecycle.Service, Sendable {
    public struct Configuration: Sendable {
        /// `--public-ip`: the address other nodes reach this node's subnet through.
        public var publicIP: IPv4Address
        /// `--ip-masq` (FLANNEL_IPMASQ; the Docker options drop Docker's own masquerading).
        public var ipMasq: Bool
        /// `--subnet-file`; its FLANNEL_SUBNET is preferred when free.
        public var subnetFile: String
        /// The mk-docker-opts.sh-style file (Atomic: `/run/flannel/docker`); nil writes none.
        public var dockerOptionsFile: String?
        /// `--subnet-lease-renew-margin`: renew this long before expiry (flannel: 60 minutes).
        public var renewMargin: Duration
        /// Pause before retrying a failed renewal or acquisition (flannel: one minute).
        public var retryInterval: Duration
        /// A missing or invalid config is logged at most once per this interval.
        public var configLogInterval: Duration
        /// Polling of a missing config backs off from `configPollInitial` to `configPollMaximum`.
        public var configPollInitial: Duration
        public var configPollMaximum: Duration

        public init(
            publicIP: IPv4Address, ipMasq: Bool = true, subnetFile: String = "/run/flannel/subnet.env",
            dockerOptionsFile: String? = "/run/flannel/docker", renewMarginMinutes: Int = 60, retryInterval: Duration = .seconds(60),
            configLogInterval: Duration = .seconds(60), configPollInitial: Duration = .seconds(1), configPollMaximum: Duration = .seconds(30)
        ) {
            self.publicIP = publicIP
            self.ipMasq = ipMasq
            self.subnetFile = subnetFile
            self.dockerOptionsFile = dockerOptionsFile
            self.renewMargin = .seconds(60 * renewMarginMinutes)
            self.retryInterval = retryInterval
            self.configLogInterval = configLogInterval
            self.configPollInitial = configPollInitial
            self.configPollMaximum = configPollMaximum
        }
    }

    public let publisher: FlannelStatePublisher
    /// The holding loop's next deadline (liveness for the agent's watchdog).
    public let schedule = LeaseLoopSchedule()
    let configuration: Configuration
    /// Registries clc-node may use, in order of preference (auto: v3 then v2).
    let selected: [any SubnetRegistry]
    /// Registries it must not use; read only to tell where a missing config is instead.
    let others: [any SubnetRegistry]
    let etcdPrefix: String
    let clock: any LeaseClock
    let logger: Logger
    let prepareBackend: @Sendable (NetworkConfig) async throws -> BackendPreparation
    let random: @Sendable (Int) -> Int

    /// - Parameters:
    ///   - prepareBackend: called once the config is known, before acquiring; its BackendData
    ///     goes into the lease and its MTU into subnet.env. Failures are retried.
    public init(
        configuration: Configuration, selected: [any SubnetRegistry], others: [any SubnetRegistry] = [],
        etcdPrefix: String, clock: any LeaseClock = SystemLeaseClock(), logger: Logger,
        publisher: FlannelStatePublisher = FlannelStatePublisher(),
        random: @escaping @Sendable (Int) -> Int = { Int.random(in: 0..<$0) },
        prepareBackend: @escaping @Sendable (NetworkConfig) async throws -> BackendPreparation = { BackendPreparation.defaults(for: $0) }
    ) {
        self.configuration = configuration
        self.selected = selected
        self.others = others
        self.etcdPrefix = etcdPrefix
        self.clock = clock
        self.logger = logger
        self.publisher = publisher
        self.random = random
        self.prepareBackend = prepareBackend
    }

    /// The registries for an `EtcdConfiguration`: selected per `--etcd-api`, the rest as others.
    public convenience init(
        configuration: Configuration, etcd: EtcdConfiguration, clock: any LeaseClock = SystemLeaseClock(), logger: Logger,
        publisher: FlannelStatePublisher = FlannelStatePublisher(),
        prepareBackend: @escaping @Sendable (NetworkConfig) async throws -> BackendPreparation = { BackendPreparation.defaults(for: $0) }
    ) {
        let v2: any SubnetRegistry = EtcdV2Registry(configuration: etcd)
        let v3: any SubnetRegistry = EtcdV3Registry(configuration: etcd)
        let (selected, others): ([any SubnetRegistry], [any SubnetRegistry]) =
            switch etcd.api {
            case .auto: ([v3, v2], [])
            case .v3: ([v3], [v2])
            case .v2: ([v2], [v3])
            }
        self.init(
            configuration: configuration, selected: selected, others: others, etcdPrefix: etcd.prefix, clock: clock, logger: logger,
            publisher: publisher, prepareBackend: prepareBackend)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            guard let (registry, config) = await self.waitForConfig() else { return }
            guard let preparation = await self.prepare(config) else { return }
            await self.holdLease(registry: registry, config: config, preparation: preparation)
        }
    }

    // MARK: Config

    /// Reads `<prefix>/config` until one selected API holds a valid one; nil when cancelled.
    func waitForConfig() async -> (any SubnetRegistry, NetworkConfig)? {
        var pause = RetryBackOff(initial: configuration.configPollInitial, maximum: configuration.configPollMaximum)
        var lastLogged: (message: String, at: Date)?
        while !Task.isCancelled {
            let lookup = await lookUpConfig()
            let message: String
            if let (api, value) = lookup.found {
                do throws(NetworkConfigError) {
                    let config = try NetworkConfig.parse(value)
                    logger.notice(
                        "found the flannel network config under the \(api)",
                        metadata: [
                            "etcd.key": "\(etcdPrefix)/config", "flannel.network": "\(config.network)",
                            "flannel.backend": "\(config.backend.typeName)", "flannel.subnet-len": "\(config.subnetLength)",
                        ])
                    publisher.update { $0 = FlannelState(phase: .acquiring, api: api, config: config) }
                    let registry = selected.first { $0.api == api }!
                    return (registry, config)
                } catch {
                    message = "\(etcdPrefix)/config under the \(api) is invalid: \(error)"
                    publisher.update { $0.phase = .configInvalid(message); $0.api = api }
                    if lastLogged?.message != message || clock.now.timeIntervalSince(lastLogged!.at) >= configuration.configLogInterval.seconds {
                        logger.error("\(message); waiting for it to be corrected")
                        lastLogged = (message, clock.now)
                    }
                }
            } else {
                message = lookup.missingMessage
                publisher.update { $0.phase = .waitingForConfig(message) }
                if lastLogged?.message != message || clock.now.timeIntervalSince(lastLogged!.at) >= configuration.configLogInterval.seconds {
                    logger.warning("waiting for the flannel network config: \(message)")
                    lastLogged = (message, clock.now)
                }
            }
            do { try await clock.sleep(until: clock.now.addingTimeInterval(pause.next().seconds)) } catch { return nil }
        }
        return nil
    }

    /// One look under every API.
    func lookUpConfig() async -> ConfigLookup {
        var selectedOutcomes: [(api: EtcdAPI, outcome: ConfigLookup.Outcome)] = []
        for registry in selected {
            let outcome = await Self.outcome(registry)
            selectedOutcomes.append((registry.api, outcome))
            if case .found = outcome { return ConfigLookup(key: "\(etcdPrefix)/config", selected: selectedOutcomes) }
        }
        var otherOutcomes: [(api: EtcdAPI, outcome: ConfigLookup.Outcome)] = []
        for registry in others { otherOutcomes.append((registry.api, await Self.outcome(registry))) }
        return ConfigLookup(key: "\(etcdPrefix)/config", selected: selectedOutcomes, others: otherOutcomes)
    }

    private static func outcome(_ registry: any SubnetRegistry) async -> ConfigLookup.Outcome {
        do {
            if let value = try await registry.networkConfig() { return .found(value) }
            return .absent
        } catch {
            return .failed(error.description)
        }
    }

    private func prepare(_ config: NetworkConfig) async -> BackendPreparation? {
        while !Task.isCancelled {
            do { return try await prepareBackend(config) } catch {
                logger.error("cannot prepare the \(config.backend.typeName) backend; retrying in \(configuration.retryInterval): \(error)")
                publisher.update { $0.phase = .acquireFailed("\(config.backend.typeName) backend: \(error)") }
                do { try await clock.sleep(until: clock.now.addingTimeInterval(configuration.retryInterval.seconds)) } catch { return nil }
            }
        }
        return nil
    }
}
