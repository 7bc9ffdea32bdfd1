@testable import FlannelSubnet
import Foundation
import Testing

/// Watches of `<prefix>/subnets/` against a real etcd, under both APIs.
@Suite("Lease watch in a real etcd")
struct EtcdWatchTests {
    let value = #"{"PublicIP":"192.168.80.2","BackendType":"host-gw"}"#

    @Test("leases added and removed by another writer reach the watcher", arguments: EtcdAPI.allCases)
    func anotherWriter(api: EtcdAPI) async throws {
        let etcd = try EtcdFixture.configuration()
        let raw = try RawEtcd()
        try await raw.put(api, etcd.subnetsKey + "/10.1.2.0-24", value)
        let registry = EtcdFixture.registry(api, etcd)
        let seen = Recorder<[IPv4Subnet]>()
        let task = Task { await LeaseWatcher(registry: registry, logger: Fixtures.logger).run { seen.append($0.map(\.subnet)) } }
        defer { task.cancel() }
        try await waitUntil { seen.values.last == [Fixtures.subnet("10.1.2.0/24")] }
        // No pause for the watch to start: it starts from the listing's revision, so a write
        // made before it is up still reaches it.
        try await raw.put(api, etcd.subnetsKey + "/10.1.3.0-24", value)
        try await waitUntil { seen.values.last == [Fixtures.subnet("10.1.2.0/24"), Fixtures.subnet("10.1.3.0/24")] }
        try await raw.delete(api, etcd.subnetsKey + "/10.1.2.0-24")
        try await waitUntil { seen.values.last == [Fixtures.subnet("10.1.3.0/24")] }
        // Keys that are not leases are ignored.
        try await raw.put(api, etcd.subnetsKey + "/garbage", "x")
        try await raw.put(api, etcd.subnetsKey + "/10.1.4.0-24", value)
        try await waitUntil { seen.values.last == [Fixtures.subnet("10.1.3.0/24"), Fixtures.subnet("10.1.4.0/24")] }
    }

    @Test("v2: a watch past the 1000-event history gets event index cleared, and the watcher lists again")
    func v2IndexCleared() async throws {
        let etcd = try EtcdFixture.configuration()
        let raw = try RawEtcd()
        let registry = EtcdV2Registry(configuration: etcd)
        try await raw.put(.v2, etcd.subnetsKey + "/10.1.2.0-24", value)
        let stale = try await registry.leases().revision
        for index in 0..<1100 { try await raw.put(.v2, etcd.prefix + "/churn", "\(index)") }
        try await raw.put(.v2, etcd.subnetsKey + "/10.1.3.0-24", value)
        await #expect(throws: RegistryError.historyCompacted(requested: stale + 1)) {
            for try await _ in registry.watchLeases(from: stale + 1) {}
        }
        try await relistsFrom(stale: stale, registry: registry, raw: raw, api: .v2, etcd: etcd)
    }

    @Test("v3: a watch from a compacted revision is canceled, and the watcher lists again")
    func v3Compacted() async throws {
        let etcd = try EtcdFixture.configuration()
        let raw = try RawEtcd()
        let registry = EtcdV3Registry(configuration: etcd)
        try await raw.put(.v3, etcd.subnetsKey + "/10.1.2.0-24", value)
        let stale = try await registry.leases().revision
        try await raw.put(.v3, etcd.subnetsKey + "/10.1.3.0-24", value)
        try await raw.put(.v3, etcd.prefix + "/churn", "x")
        try await raw.compact()
        await #expect(throws: RegistryError.historyCompacted(requested: stale + 1)) {
            for try await _ in registry.watchLeases(from: stale + 1) {}
        }
        try await relistsFrom(stale: stale, registry: registry, raw: raw, api: .v3, etcd: etcd)
    }

    /// A watcher whose first listing is stale must list again and then follow new changes.
    private func relistsFrom(stale: Int64, registry: any SubnetRegistry, raw: RawEtcd, api: EtcdAPI, etcd: EtcdConfiguration) async throws {
        let seen = Recorder<[IPv4Subnet]>()
        let gate = StaleFirstListing(inner: registry, revision: stale)
        let task = Task { await LeaseWatcher(registry: gate, logger: Fixtures.logger).run { seen.append($0.map(\.subnet)) } }
        defer { task.cancel() }
        try await waitUntil { seen.values.last?.count == 2 }
        #expect(gate.lists.values.count >= 2)
        try await raw.put(api, etcd.subnetsKey + "/10.1.4.0-24", value)
        try await waitUntil { seen.values.last?.count == 3 }
    }
}

/// Answers the first listing with only what existed at `revision`, as a watcher that fell
/// behind would hold.
final class StaleFirstListing: SubnetRegistry {
    let inner: any SubnetRegistry
    let revision: Int64
    let lists = Recorder<Int64>()
    init(inner: any SubnetRegistry, revision: Int64) {
        self.inner = inner
        self.revision = revision
    }
    var api: EtcdAPI { inner.api }
    func networkConfig() async throws(RegistryError) -> [UInt8]? { try await inner.networkConfig() }
    func leases() async throws(RegistryError) -> LeaseListing {
        var listing = try await inner.leases()
        if lists.values.isEmpty {
            listing.revision = revision
            listing.leases = Array(listing.leases.prefix(1))
        }
        lists.append(listing.revision)
        return listing
    }
    func lease(_ subnet: IPv4Subnet) async throws(RegistryError) -> SubnetLease? { try await inner.lease(subnet) }
    func createLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date {
        try await inner.createLease(subnet, attributes: attributes, ttl: ttl)
    }
    func updateLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date? {
        try await inner.updateLease(subnet, attributes: attributes, ttl: ttl)
    }
    func deleteLease(_ subnet: IPv4Subnet) async throws(RegistryError) { try await inner.deleteLease(subnet) }
    func watchLeases(from revision: Int64) -> AsyncThrowingStream<[LeaseEvent], any Error> { inner.watchLeases(from: revision) }
}
