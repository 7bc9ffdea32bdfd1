@testable import FlannelSubnet
import Foundation
import Testing

/// What the service says about `<prefix>/config` against a real etcd.
@Suite("Network config in a real etcd")
struct EtcdConfigTests {
    func service(_ etcd: EtcdConfiguration) -> SubnetLeaseService {
        SubnetLeaseService(
            configuration: .init(publicIP: Fixtures.ip("192.168.70.1"), subnetFile: "/nonexistent/subnet.env", dockerOptionsFile: nil),
            etcd: etcd, logger: Fixtures.logger)
    }

    @Test("auto finds the config under v3 first, else under v2, and says which")
    func autoDetects() async throws {
        let raw = try RawEtcd()
        let onlyV2 = try EtcdFixture.configuration(api: .auto)
        try await raw.put(.v2, onlyV2.configKey, Fixtures.hostGWConfig)
        #expect(await service(onlyV2).lookUpConfig().found?.api == .v2)

        let both = try EtcdFixture.configuration(api: .auto)
        try await raw.put(.v2, both.configKey, Fixtures.hostGWConfig)
        try await raw.put(.v3, both.configKey, Fixtures.hostGWConfig)
        #expect(await service(both).lookUpConfig().found?.api == .v3)
    }

    @Test("an absent config names the key and the APIs looked under")
    func absent() async throws {
        let etcd = try EtcdFixture.configuration(api: .auto)
        let lookup = await service(etcd).lookUpConfig()
        #expect(lookup.found == nil)
        #expect(lookup.missingMessage == "\(etcd.configKey) does not exist under the etcd v3 and v2 APIs")
    }

    @Test("a config written under the other API is pointed at", arguments: [(EtcdConfiguration.APISelection.v3, EtcdAPI.v2), (.v2, .v3)])
    func otherAPI(selected: EtcdConfiguration.APISelection, writtenUnder: EtcdAPI) async throws {
        let etcd = try EtcdFixture.configuration(api: selected)
        try await RawEtcd().put(writtenUnder, etcd.configKey, Fixtures.hostGWConfig)
        let service = service(etcd)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let state = try await waitForState(service.publisher) { if case .waitingForConfig = $0.phase { true } else { false } }
        #expect(state.networkUnavailable.message
            == "\(etcd.configKey) does not exist under the etcd \(selected.rawValue) API; it exists under the etcd \(writtenUnder.rawValue) API, which --etcd-api \(selected.rawValue) excludes (use --etcd-api \(writtenUnder.rawValue) or auto)")
    }

    @Test("an invalid config is reported with its field and the service keeps waiting")
    func invalid() async throws {
        let etcd = try EtcdFixture.configuration(api: .v3)
        try await RawEtcd().put(.v3, etcd.configKey, #"{"Network":"10.1.0.0/16","Backend":{"Type":"udp"}}"#)
        let service = service(etcd)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let state = try await waitForState(service.publisher) { if case .configInvalid = $0.phase { true } else { false } }
        #expect(state.networkUnavailable.message.hasPrefix("\(etcd.configKey) under the etcd v3 API is invalid: network config: Backend.Type \"udp\""))
        #expect(!task.isCancelled)
    }
}
