import Foundation
import Logging

/// Acquires a lease against a registry: lists, plans with ``LeasePlanner``, and writes; a
/// create lost to another node is planned again from a fresh listing (flannel: 10 times).
public struct LeaseAcquirer: Sendable {
    /// flannel's raceRetries.
    public static let raceRetries = 10
    /// flannel's subnetTTL.
    public static let leaseTTL: Duration = .seconds(24 * 3600)

    public let registry: any SubnetRegistry
    public let logger: Logger
    let random: @Sendable (Int) -> Int

    public init(registry: any SubnetRegistry, logger: Logger, random: @escaping @Sendable (Int) -> Int = { Int.random(in: 0..<$0) }) {
        self.registry = registry
        self.logger = logger
        self.random = random
    }

    /// - Parameters:
    ///   - attributes: what the lease publishes (PublicIP, backend type and data).
    ///   - previous: the subnet to prefer when free (the subnet file's, or a lost lease's).
    /// - Returns: our lease with its expiration.
    /// - Throws: ``LeaseError``.
    public func acquire(
        config: NetworkConfig, attributes: LeaseAttributes, previous: IPv4Subnet?
    ) async throws(LeaseError) -> SubnetLease {
        for _ in 0..<Self.raceRetries {
            let listing: LeaseListing
            do { listing = try await registry.leases() } catch { throw .registry(error) }
            for skipped in listing.skipped {
                logger.warning("ignoring an unreadable key under the subnets directory", metadata: ["etcd.key": "\(skipped)"])
            }
            let plan: LeasePlan
            do {
                plan = try LeasePlanner.plan(
                    config: config, leases: listing.leases, publicIP: attributes.publicIP, previous: previous, random: random)
            } catch {
                throw .outOfSubnets(error)
            }
            if let ignored = plan.previousIgnored { logger.notice("not reusing the previous subnet: \(ignored)") }
            do {
                if let stale = plan.deleteIncompatible {
                    logger.notice(
                        "lease for this node's PublicIP does not fit the network config; deleting it",
                        metadata: ["flannel.subnet": "\(stale.subnet)"])
                    try await registry.deleteLease(stale.subnet)
                }
                switch plan.action {
                case let .reuse(existing):
                    let ttl = existing.hasTTL ? Self.leaseTTL : .zero
                    let expiration = try await registry.updateLease(existing.subnet, attributes: attributes, ttl: ttl)
                    logger.info(
                        "reusing the lease that holds this node's PublicIP",
                        metadata: ["flannel.subnet": "\(existing.subnet)", "flannel.public-ip": "\(attributes.publicIP)"])
                    return SubnetLease(subnet: existing.subnet, attributes: attributes, expiration: expiration, hasTTL: existing.hasTTL)
                case let .create(subnet, origin):
                    let expiration = try await registry.createLease(subnet, attributes: attributes, ttl: Self.leaseTTL)
                    logger.info(
                        origin == .previous ? "leased the previous subnet again" : "leased a new subnet",
                        metadata: ["flannel.subnet": "\(subnet)", "flannel.public-ip": "\(attributes.publicIP)"])
                    return SubnetLease(subnet: subnet, attributes: attributes, expiration: expiration)
                }
            } catch .alreadyExists(let key) {
                logger.info("another node leased the subnet first; trying again", metadata: ["etcd.key": "\(key)"])
                continue
            } catch {
                throw .registry(error)
            }
        }
        throw .racesLost(attempts: Self.raceRetries)
    }
}
