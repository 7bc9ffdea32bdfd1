@testable import FlannelSubnet
import Foundation
import Testing

/// How the registries reach etcd: several endpoints, and credentials under each API.
@Suite("etcd endpoints and authentication")
struct EtcdAccessTests {
    @Test("a dead first endpoint is skipped for the next one, under both APIs", arguments: EtcdAPI.allCases)
    func endpointsInTurn(api: EtcdAPI) async throws {
        var etcd = try EtcdFixture.configuration(api: api == .v2 ? .v2 : .v3)
        etcd.endpoints = ["http://127.0.0.1:1", try EtcdFixture.endpoint()]
        try await RawEtcd().put(api, etcd.configKey, Fixtures.hostGWConfig)
        let registry = EtcdFixture.registry(api, etcd)
        #expect(try await registry.networkConfig() == Array(Fixtures.hostGWConfig.utf8))
        let config = try NetworkConfig.parse(try #require(await registry.networkConfig()))
        let lease = try await LeaseAcquirer(registry: registry, logger: Fixtures.logger).acquire(
            config: config, attributes: LeaseAttributes(publicIP: Fixtures.ip("192.168.90.1"), backendType: "host-gw"), previous: nil)
        #expect(config.admits(lease.subnet))
    }

    @Test("all endpoints dead names each one")
    func allDead() async throws {
        let etcd = EtcdConfiguration(endpoints: ["http://127.0.0.1:1", "http://127.0.0.1:2"], api: .v3)
        await #expect {
            try await EtcdV3Registry(configuration: etcd).networkConfig()
        } throws: { error in
            guard case let .unreachable(_, errors) = error as? RegistryError else { return false }
            return errors.count == 2 && errors[0].hasPrefix("http://127.0.0.1:1:") && errors[1].hasPrefix("http://127.0.0.1:2:")
        }
    }

    /// An etcd of its own: enabling authentication would lock the other tests out.
    @Test("with authentication on, v2 sends basic auth and v3 trades the password for a token; wrong credentials are named")
    func authentication() async throws {
        let directory = "/tmp/clc-flannel-auth-etcd-\(getpid())"
        let port = 25000 + Int(getpid() % 400) * 2
        let started = EtcdFixture.run(["bash", EtcdFixture.scriptDirectory + "/etcd.sh", "start", directory, "\(port)"])
        defer { _ = EtcdFixture.run(["bash", EtcdFixture.scriptDirectory + "/etcd.sh", "stop", directory]) }
        try #require(started.status == 0, "scripts/etcd.sh start: \(started.output)")
        let endpoint = "http://127.0.0.1:\(port)"
        let raw = RawEtcd(endpoint: endpoint)
        let prefix = "/coreos.com/network"
        try await raw.put(.v3, prefix + "/config", Fixtures.hostGWConfig)
        try await raw.put(.v2, prefix + "/config", Fixtures.hostGWConfig)

        // v3: a root user with the root role, then auth on.
        try await raw.v3("/v3/auth/user/add", ["name": .string("root"), "password": .string("s3cret")])
        try await raw.v3("/v3/auth/user/grant", ["user": .string("root"), "role": .string("root")])
        try await raw.v3("/v3/auth/enable", [:])
        // v2 keeps its own users (etcd 3.4's v2 auth store).
        try await raw.v2Auth(user: "root", password: "s3cret")

        for api in EtcdAPI.allCases {
            let good = EtcdConfiguration(endpoints: [endpoint], prefix: prefix, api: api == .v2 ? .v2 : .v3, username: "root", password: "s3cret")
            let registry = EtcdFixture.registry(api, good)
            #expect(try await registry.networkConfig() == Array(Fixtures.hostGWConfig.utf8), "\(api)")
            let config = try NetworkConfig.parse(try #require(await registry.networkConfig()))
            let lease = try await LeaseAcquirer(registry: registry, logger: Fixtures.logger).acquire(
                config: config, attributes: LeaseAttributes(publicIP: Fixtures.ip("192.168.91.1"), backendType: "host-gw"), previous: nil)
            #expect(config.admits(lease.subnet), "\(api)")

            let bad = EtcdConfiguration(endpoints: [endpoint], prefix: prefix, api: api == .v2 ? .v2 : .v3, username: "root", password: "wrong")
            await #expect("\(api)") {
                try await EtcdFixture.registry(api, bad).leases()
            } throws: { error in
                guard case .unauthorized = error as? RegistryError else { return false }
                return true
            }
        }
    }
}
