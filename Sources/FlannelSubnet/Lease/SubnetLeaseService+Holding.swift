import Foundation
import Logging

extension SubnetLeaseService {
    /// What wakes the holding loop.
    enum Trigger: Sendable {
        /// The watcher's complete set of leases.
        case leases([SubnetLease])
        /// A renewal or retry is due (the generation tells a stale timer from the current one).
        case timer(Int)
    }

    /// The loop that holds the lease: acquire, then react to timers (renewal, retries) and to
    /// the watcher's snapshots (other nodes' leases; ours gone) until cancelled.
    func holdLease(registry: any SubnetRegistry, config: NetworkConfig, preparation: BackendPreparation) async {
        let attributes = LeaseAttributes(
            publicIP: configuration.publicIP, backendType: config.backend.typeName, backendData: preparation.backendData)
        let acquirer = LeaseAcquirer(registry: registry, logger: logger, random: random)
        let (triggers, sink) = AsyncStream.makeStream(of: Trigger.self)
        let watcher = LeaseWatcher(registry: registry, clock: clock, logger: logger)
        let watchTask = Task { await watcher.run { sink.yield(.leases($0)) } }
        var holder = Holder(
            service: self, registry: registry, acquirer: acquirer, config: config, attributes: attributes, mtu: preparation.mtu,
            sink: sink)
        await withTaskCancellationHandler {
            await holder.acquire(previous: SubnetFile.previousSubnet(inFileAt: configuration.subnetFile))
            for await trigger in triggers {
                if Task.isCancelled { break }
                await holder.handle(trigger)
            }
        } onCancel: {
            sink.finish()
        }
        watchTask.cancel()
        holder.timer?.cancel()
        schedule.arm(nil)
    }

    /// The mutable state of ``holdLease(registry:config:preparation:)``.
    struct Holder {
        let service: SubnetLeaseService
        let registry: any SubnetRegistry
        let acquirer: LeaseAcquirer
        let config: NetworkConfig
        let attributes: LeaseAttributes
        let mtu: Int
        let sink: AsyncStream<Trigger>.Continuation
        /// Our lease, kept while it is being taken back.
        var lease: SubnetLease?
        /// True while the lease must be (re)acquired rather than renewed.
        var mustAcquire = true
        var timer: Task<Void, Never>?
        var generation = 0
        var remote: [SubnetLease] = []
        /// The subnet the files on disk name.
        var written: IPv4Subnet?

        init(
            service: SubnetLeaseService, registry: any SubnetRegistry, acquirer: LeaseAcquirer, config: NetworkConfig,
            attributes: LeaseAttributes, mtu: Int, sink: AsyncStream<Trigger>.Continuation
        ) {
            self.service = service
            self.registry = registry
            self.acquirer = acquirer
            self.config = config
            self.attributes = attributes
            self.mtu = mtu
            self.sink = sink
        }

        private var logger: Logger { service.logger }
        private var clock: any LeaseClock { service.clock }
        private var settings: SubnetLeaseService.Configuration { service.configuration }

        mutating func handle(_ trigger: Trigger) async {
            switch trigger {
            case let .timer(fired):
                guard fired == generation else { return }
                if mustAcquire {
                    await acquire(previous: lease?.subnet ?? SubnetFile.previousSubnet(inFileAt: settings.subnetFile))
                } else {
                    await renew()
                }
            case let .leases(all):
                remote = all.filter { $0.subnet != lease?.subnet }
                let remote = remote
                service.publisher.update { $0.remoteLeases = remote }
                guard let held = lease, !mustAcquire else { return }
                if all.contains(where: { $0.subnet == held.subnet && $0.attributes.publicIP == attributes.publicIP }) { return }
                // The watch may lag behind our own write: ask etcd before acting.
                let current: SubnetLease?
                do { current = try await registry.lease(held.subnet) } catch {
                    logger.warning("cannot check our lease after the watch lost it: \(error)")
                    return
                }
                if let current, current.attributes.publicIP == attributes.publicIP { return }
                if let current {
                    logger.error(
                        "our subnet is now leased by another node; acquiring another",
                        metadata: ["flannel.subnet": "\(held.subnet)", "flannel.other-public-ip": "\(current.attributes.publicIP)"])
                } else {
                    logger.error(
                        "our lease disappeared from etcd (deleted, or expired while etcd was unreachable); taking it back",
                        metadata: ["flannel.subnet": "\(held.subnet)"])
                }
                mustAcquire = true
                await acquire(previous: held.subnet)
            }
        }

        /// Acquires (or takes back) the lease; on failure retries after `retryInterval`.
        mutating func acquire(previous: IPv4Subnet?) async {
            mustAcquire = true
            service.publisher.update { $0.phase = .acquiring }
            do {
                let acquired = try await acquirer.acquire(config: config, attributes: attributes, previous: previous)
                lease = acquired
                mustAcquire = false
                remote.removeAll { $0.subnet == acquired.subnet }
                if written != acquired.subnet { writeFiles(acquired.subnet) }
                let remote = remote
                service.publisher.update {
                    $0.phase = .leased
                    $0.lease = acquired
                    $0.mtu = mtu
                    $0.remoteLeases = remote
                }
                armRenewal()
            } catch {
                logger.error("cannot acquire a flannel subnet lease; retrying in \(settings.retryInterval): \(error)")
                service.publisher.update { $0.phase = .acquireFailed(error.description) }
                arm(at: clock.now.addingTimeInterval(settings.retryInterval.seconds))
            }
        }

        /// Renews the lease; after expiry it must be created again, atomically, since another
        /// node may have taken the subnet meanwhile.
        mutating func renew() async {
            guard let held = lease else { return }
            if let expiration = held.expiration, clock.now >= expiration {
                logger.error("our lease expired before it could be renewed; taking it back", metadata: ["flannel.subnet": "\(held.subnet)"])
                await acquire(previous: held.subnet)
                return
            }
            do {
                let ttl = held.hasTTL ? LeaseAcquirer.leaseTTL : .zero
                let expiration = try await registry.updateLease(held.subnet, attributes: attributes, ttl: ttl)
                lease?.expiration = expiration
                let renewed = lease
                service.publisher.update { $0.lease = renewed }
                logger.info(
                    "lease renewed", metadata: ["flannel.subnet": "\(held.subnet)", "flannel.expiration": "\(expiration.map { "\($0)" } ?? "none")"])
                armRenewal()
            } catch {
                logger.error("cannot renew the lease; trying again in \(settings.retryInterval): \(error)", metadata: ["flannel.subnet": "\(held.subnet)"])
                arm(at: clock.now.addingTimeInterval(settings.retryInterval.seconds))
            }
        }

        private mutating func armRenewal() {
            guard let expiration = lease?.expiration else {
                timer?.cancel()
                service.schedule.arm(nil)
                return
            }
            arm(at: expiration.addingTimeInterval(-settings.renewMargin.seconds))
        }

        private mutating func arm(at deadline: Date) {
            service.schedule.arm(deadline)
            generation += 1
            timer?.cancel()
            let fired = generation
            let clock = clock
            let sink = sink
            timer = Task {
                do { try await clock.sleep(until: deadline) } catch { return }
                sink.yield(.timer(fired))
            }
        }

        private mutating func writeFiles(_ subnet: IPv4Subnet) {
            let file = SubnetFile(network: config.network, subnet: subnet, mtu: mtu, ipMasq: settings.ipMasq)
            do {
                try AtomicFile.write(file.contents, to: settings.subnetFile)
                if let path = settings.dockerOptionsFile { try AtomicFile.write(DockerOptionsFile(subnetFile: file).contents, to: path) }
                written = subnet
                logger.info("wrote the subnet file", metadata: ["file.path": "\(settings.subnetFile)", "flannel.subnet": "\(subnet)"])
            } catch {
                logger.error("cannot write the subnet file: \(error)")
            }
        }
    }
}
