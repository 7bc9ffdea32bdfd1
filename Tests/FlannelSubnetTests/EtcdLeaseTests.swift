@testable import FlannelSubnet
import Foundation
import Testing
import IPv4

/// The registries and the lease against a real etcd 3.4, under both APIs.
@Suite("Lease in a real etcd")
struct EtcdLeaseTests {
    let hostGW = Fixtures.hostGWConfig
    let attributes = LeaseAttributes(publicIP: Fixtures.ip("192.168.50.5"), backendType: "host-gw")

    func setUp(_ api: EtcdAPI, config: String? = Fixtures.hostGWConfig) async throws -> (EtcdConfiguration, any SubnetRegistry, RawEtcd) {
        let configuration = try EtcdFixture.configuration(api: api == .v2 ? .v2 : .v3)
        let raw = try RawEtcd()
        if let config { try await raw.put(api, configuration.configKey, config) }
        return (configuration, EtcdFixture.registry(api, configuration), raw)
    }

    @Test("an empty registry gives a lease with flannel's key, value and 24 h TTL; a restart keeps it", arguments: EtcdAPI.allCases)
    func acquireAndRestart(api: EtcdAPI) async throws {
        let (configuration, registry, raw) = try await setUp(api)
        let config = try NetworkConfig.parse(try #require(await registry.networkConfig()))
        let acquirer = LeaseAcquirer(registry: registry, logger: Fixtures.logger)
        let lease = try await acquirer.acquire(config: config, attributes: attributes, previous: nil)
        #expect(config.admits(lease.subnet))
        let key = configuration.leaseKey(lease.subnet)
        #expect(key.hasSuffix("/subnets/\(lease.subnet.address)-24"))
        #expect(try await raw.value(api, key) == #"{"PublicIP":"192.168.50.5","BackendType":"host-gw"}"#)
        let ttl = try #require(try await raw.ttl(api, key))
        #expect(ttl > 86000 && ttl <= 86400)

        let again = try await acquirer.acquire(config: config, attributes: attributes, previous: nil)
        #expect(again.subnet == lease.subnet)
        #expect(try await registry.leases().leases.map(\.subnet) == [lease.subnet])
    }

    @Test("the subnet file's subnet is leased again when free", arguments: EtcdAPI.allCases)
    func subnetFileReused(api: EtcdAPI) async throws {
        let (configuration, _, _) = try await setUp(api)
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try AtomicFile.write("FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.77.1/24\nFLANNEL_MTU=1500\nFLANNEL_IPMASQ=true\n", to: directory + "/subnet.env")
        let service = SubnetLeaseService(
            configuration: .init(publicIP: Fixtures.ip("192.168.50.6"), subnetFile: directory + "/subnet.env", dockerOptionsFile: nil),
            etcd: configuration, logger: Fixtures.logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let state = try await waitForState(service.publisher) { $0.phase == .leased }
        #expect(state.lease?.subnet == Fixtures.subnet("10.1.77.0/24"))
        #expect(state.api == api)
    }

    @Test("two nodes racing for the one free subnet: one wins, the other is out of subnets", arguments: EtcdAPI.allCases)
    func race(api: EtcdAPI) async throws {
        let (_, registry, _) = try await setUp(
            api, config: #"{"Network":"10.1.0.0/16","SubnetMin":"10.1.7.0","SubnetMax":"10.1.7.0","Backend":{"Type":"host-gw"}}"#)
        let config = try NetworkConfig.parse(try #require(await registry.networkConfig()))
        let outcomes = await withTaskGroup(of: Result<SubnetLease, LeaseError>.self) { group in
            for node in 1...2 {
                group.addTask {
                    let acquirer = LeaseAcquirer(registry: registry, logger: Fixtures.logger)
                    let attributes = LeaseAttributes(publicIP: IPv4Address("192.168.60.\(node)")!, backendType: "host-gw")
                    do throws(LeaseError) {
                        return .success(try await acquirer.acquire(config: config, attributes: attributes, previous: nil))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.compactMap { (outcome: Result<SubnetLease, LeaseError>) in try? outcome.get() }
        #expect(winners.map(\.subnet) == [Fixtures.subnet("10.1.7.0/24")])
        let losers = outcomes.compactMap { outcome -> LeaseError? in if case let .failure(error) = outcome { error } else { nil } }
        #expect(losers.count == 1)
        #expect(losers.first?.description.hasPrefix("out of subnets") == true)
    }

    @Test("a lease deleted from outside is taken back, same subnet", arguments: EtcdAPI.allCases)
    func deletedFromOutside(api: EtcdAPI) async throws {
        let (configuration, _, raw) = try await setUp(api)
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service = SubnetLeaseService(
            configuration: .init(publicIP: Fixtures.ip("192.168.50.7"), subnetFile: directory + "/subnet.env", dockerOptionsFile: nil),
            etcd: configuration, logger: Fixtures.logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let leased = try await waitForState(service.publisher) { $0.phase == .leased }
        let subnet = try #require(leased.lease?.subnet)
        let key = configuration.leaseKey(subnet)
        // Let the watch start before deleting.
        try await Task.sleep(for: .milliseconds(300))
        try await raw.delete(api, key)
        let start = ContinuousClock.now
        while try await raw.value(api, key) == nil {
            if ContinuousClock.now - start > .seconds(10) { Issue.record("lease not taken back"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await raw.value(api, key)?.contains("192.168.50.7") == true)
        #expect(service.publisher.current.lease?.subnet == subnet)
        #expect(try await raw.ttl(api, key) != nil)
    }

    @Test("renewal extends the TTL", arguments: EtcdAPI.allCases)
    func renewalExtendsTTL(api: EtcdAPI) async throws {
        let (configuration, registry, raw) = try await setUp(api)
        let subnet = Fixtures.subnet("10.1.33.0/24")
        _ = try await registry.createLease(subnet, attributes: attributes, ttl: .seconds(60))
        #expect(try #require(try await raw.ttl(api, configuration.leaseKey(subnet))) <= 60)
        let expiration = try #require(try await registry.updateLease(subnet, attributes: attributes, ttl: .seconds(86400)))
        #expect(expiration.timeIntervalSinceNow > 86000)
        #expect(try #require(try await raw.ttl(api, configuration.leaseKey(subnet))) > 86000)
        await #expect(throws: RegistryError.alreadyExists(key: configuration.leaseKey(subnet))) {
            try await registry.createLease(subnet, attributes: attributes, ttl: .seconds(60))
        }
    }

    @Test("keys of the config are matched case-insensitively", arguments: EtcdAPI.allCases)
    func caseInsensitiveConfig(api: EtcdAPI) async throws {
        let (_, registry, _) = try await setUp(api, config: #"{"network":"10.5.0.0/16","Subnetlen":25,"backend":{"type":"vxlan","VNI":3}}"#)
        let config = try NetworkConfig.parse(try #require(await registry.networkConfig()))
        #expect(config.subnetLength == 25)
        #expect(config.backend == .vxlan(VXLANSettings(vni: 3)))
    }
}
