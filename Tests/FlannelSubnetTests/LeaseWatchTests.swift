@testable import FlannelSubnet
import Foundation
import KubeAPI
import Testing

@Suite("Lease watch")
struct LeaseWatchTests {
    @Test("a snapshot follows puts and removals and reports only real changes")
    func snapshot() {
        var snapshot = LeaseSnapshot(LeaseListing(leases: [Fixtures.lease("10.1.1.0/24", "1.1.1.1")], revision: 5))
        var renewed = Fixtures.lease("10.1.1.0/24", "1.1.1.1")
        renewed.expiration = Date()
        let renewal = snapshot.apply([.put(renewed, revision: 6)])
        let added = snapshot.apply([.put(Fixtures.lease("10.1.2.0/24", "1.1.1.2"), revision: 7)])
        let removed = snapshot.apply([.removed(Fixtures.subnet("10.1.1.0/24"), revision: 8)])
        let removedUnknown = snapshot.apply([.removed(Fixtures.subnet("10.1.9.0/24"), revision: 9)])
        #expect([renewal, added, removed, removedUnknown] == [false, true, true, false])
        #expect(snapshot.sorted.map(\.subnet) == [Fixtures.subnet("10.1.2.0/24")])
        #expect(snapshot.revision == 9)
    }

    @Test("a v3 watch canceled with compact_revision asks for a relist")
    func v3Compaction() throws {
        let line = Array(#"{"result":{"header":{"revision":"40"},"canceled":true,"compact_revision":"30"}}"#.utf8)
        #expect(throws: RegistryError.historyCompacted(requested: 12)) {
            try EtcdV3Registry.watchEvents(line, requested: 12, key: "/p/subnets/")
        }
    }

    @Test("v3 watch lines become puts and removals; PUT has no type field")
    func v3Events() throws {
        let key = Data("/p/subnets/10.1.5.0-24".utf8).base64EncodedString()
        let value = Data(#"{"PublicIP":"10.0.0.5","BackendType":"host-gw"}"#.utf8).base64EncodedString()
        let line = Array(#"{"result":{"header":{"revision":"41"},"events":[{"kv":{"key":"\#(key)","create_revision":"41","mod_revision":"41","version":"1","value":"\#(value)","lease":"7587"}},{"type":"DELETE","kv":{"key":"\#(key)","mod_revision":"42"}}]}}"#.utf8)
        let events = try EtcdV3Registry.watchEvents(line, requested: 1, key: "/p/subnets/")
        #expect(events == [
            .put(SubnetLease(subnet: Fixtures.subnet("10.1.5.0/24"), attributes: LeaseAttributes(publicIP: Fixtures.ip("10.0.0.5"), backendType: "host-gw")), revision: 41),
            .removed(Fixtures.subnet("10.1.5.0/24"), revision: 42),
        ])
    }

    @Test("the watcher lists again when the history is compacted")
    func relistAfterCompaction() async throws {
        let clock = ManualLeaseClock()
        let registry = FakeSubnetRegistry(config: nil, clock: clock)
        registry.put(Fixtures.lease("10.1.1.0/24", "1.1.1.1"))
        let watcher = LeaseWatcher(registry: registry, clock: clock, logger: Fixtures.logger)
        let seen = Recorder<[IPv4Subnet]>()
        // The first watch starts from a compacted revision.
        registry.put(Fixtures.lease("10.1.2.0/24", "1.1.1.2"))
        registry.compact()
        let gate = FirstListGate(registry: registry)
        let task = Task { await LeaseWatcher(registry: gate, clock: clock, logger: Fixtures.logger).run { seen.append($0.map(\.subnet)) } }
        defer { task.cancel() }
        _ = watcher
        try await waitUntil { registry.calls.filter { $0 == "list" }.count == 2 }
        try await waitUntil { seen.values.last?.count == 2 }
        registry.put(Fixtures.lease("10.1.3.0/24", "1.1.1.3"))
        try await waitUntil { seen.values.last?.count == 3 }
    }
}

/// Serves a stale first listing (revision 1), so the first watch asks for compacted history.
final class FirstListGate: SubnetRegistry {
    let inner: FakeSubnetRegistry
    private let first = Recorder<Bool>()
    init(registry: FakeSubnetRegistry) { inner = registry }
    var api: EtcdAPI { inner.api }
    func networkConfig() async throws(RegistryError) -> [UInt8]? { try await inner.networkConfig() }
    func leases() async throws(RegistryError) -> LeaseListing {
        var listing = try await inner.leases()
        if first.values.isEmpty {
            first.append(true)
            listing.revision = 1
        }
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

@Suite("etcd v2 timestamps")
struct EtcdTimestampTests {
    @Test("expirations with nanoseconds and offsets parse to the same instant, by the one RFC 3339 parser (KubeTime)")
    func parse() {
        let utc = KubeTime.parse("2026-12-04T14:00:00.5Z")
        #expect(utc == Date(timeIntervalSince1970: 1_796_392_800.5))
        #expect(KubeTime.parse("2026-12-04T15:00:00.500000000+01:00") == utc)
        #expect(KubeTime.parse("2026-12-04 14:00") == nil)
    }
}
