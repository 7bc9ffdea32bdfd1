@testable import FlannelSubnet
import Foundation
import Testing

/// The lease service against the recording fake registry and a manual clock: TTL and renewal
/// without sleeping.
@Suite("Lease service with a fake etcd")
struct LeaseServiceTests {
    let clock = ManualLeaseClock()
    let directory = Fixtures.temporaryDirectory()

    func makeService(_ registry: FakeSubnetRegistry, publicIP: String = "192.168.1.5") -> SubnetLeaseService {
        SubnetLeaseService(
            configuration: .init(
                publicIP: Fixtures.ip(publicIP), subnetFile: directory + "/subnet.env", dockerOptionsFile: directory + "/docker"),
            selected: [registry], etcdPrefix: "/coreos.com/network", clock: clock, logger: Fixtures.logger, random: { _ in 0 })
    }

    /// Runs the service until `body` returns, then cancels it.
    func running<T: Sendable>(_ service: SubnetLeaseService, _ body: () async throws -> T) async throws -> T {
        let task = Task { try await service.run() }
        defer { task.cancel() }
        return try await body()
    }

    @Test("an empty registry gives the first free subnet, the files and a False NetworkUnavailable")
    func acquireOnEmptyRegistry() async throws {
        let registry = FakeSubnetRegistry(config: Fixtures.hostGWConfig, clock: clock)
        let service = makeService(registry)
        let state = try await running(service) {
            try await waitForState(service.publisher) { $0.phase == .leased }
        }
        #expect(state.lease?.subnet == Fixtures.subnet("10.1.1.0/24"))
        #expect(state.lease?.expiration == clock.now.addingTimeInterval(86400))
        #expect(state.networkUnavailable.unavailable == false)
        #expect(state.networkUnavailable.reason == "FlannelIsUp")
        #expect(registry.calls.contains("create 10.1.1.0/24"))
        #expect(try String(contentsOfFile: directory + "/subnet.env", encoding: .utf8)
            == "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.1.1/24\nFLANNEL_MTU=1500\nFLANNEL_IPMASQ=true\n")
        #expect(try String(contentsOfFile: directory + "/docker", encoding: .utf8).contains("--bip=10.1.1.1/24"))
    }

    @Test("the lease is renewed an hour before it expires, and a failed renewal is retried every minute")
    func renewal() async throws {
        let registry = FakeSubnetRegistry(config: Fixtures.hostGWConfig, clock: clock)
        let service = makeService(registry)
        try await running(service) {
            let leased = try await waitForState(service.publisher) { $0.phase == .leased }
            let expiration = try #require(leased.lease?.expiration)
            let renewAt = expiration.addingTimeInterval(-3600)
            try await clock.waitForSleeper { $0 == renewAt }
            #expect(!registry.calls.contains("update 10.1.1.0/24"))

            registry.setFailing(true)
            clock.advance(by: renewAt.timeIntervalSince(clock.now))
            try await clock.waitForSleeper { $0 == renewAt.addingTimeInterval(60) }
            #expect(registry.calls.filter { $0 == "update 10.1.1.0/24" }.count == 1)

            registry.setFailing(false)
            clock.advance(by: 60)
            let renewed = try await waitForState(service.publisher) { ($0.lease?.expiration ?? .distantPast) > expiration }
            #expect(renewed.lease?.expiration == clock.now.addingTimeInterval(86400))
            #expect(renewed.phase == .leased)
            #expect(registry.calls.filter { $0 == "update 10.1.1.0/24" }.count == 2)
            try await clock.waitForSleeper { $0 == clock.now.addingTimeInterval(86400 - 3600) }
        }
    }

    @Test("a lease that expired while etcd was unreachable is created again atomically, same subnet")
    func expiredDuringOutage() async throws {
        let registry = FakeSubnetRegistry(config: Fixtures.hostGWConfig, clock: clock)
        let service = makeService(registry)
        try await running(service) {
            _ = try await waitForState(service.publisher) { $0.phase == .leased }
            registry.setFailing(true)
            // Renewal fails from 23 h on, every minute, until past the expiry.
            clock.advance(by: 86400 - 3600)
            for _ in 0..<61 {
                try await clock.waitForSleeper { $0 > clock.now }
                clock.advance(by: 60)
            }
            registry.expire()
            #expect(registry.stored.isEmpty)
            registry.setFailing(false)
            try await clock.waitForSleeper { $0 > clock.now }
            clock.advance(by: 60)
            let back = try await waitForState(service.publisher) { $0.phase == .leased && ($0.lease?.expiration ?? .distantPast) > clock.now }
            #expect(back.lease?.subnet == Fixtures.subnet("10.1.1.0/24"))
            #expect(registry.calls.filter { $0 == "create 10.1.1.0/24" }.count == 2)
        }
    }

    @Test("a lease deleted from outside is taken back, the same subnet when free")
    func deletedLeaseTakenBack() async throws {
        let registry = FakeSubnetRegistry(config: Fixtures.hostGWConfig, clock: clock)
        let service = makeService(registry)
        try await running(service) {
            _ = try await waitForState(service.publisher) { $0.phase == .leased }
            try await waitUntil { registry.calls.contains { $0.hasPrefix("watch") } }
            registry.remove(Fixtures.subnet("10.1.1.0/24"))
            try await waitUntil { registry.calls.filter { $0 == "create 10.1.1.0/24" }.count == 2 }
            #expect(registry.stored[Fixtures.subnet("10.1.1.0/24")]?.lease.attributes.publicIP == Fixtures.ip("192.168.1.5"))
            #expect(service.publisher.current.phase == .leased)
        }
    }

    @Test("other nodes' leases are published as they come and go; a compacted watch lists again")
    func remoteLeases() async throws {
        let registry = FakeSubnetRegistry(config: Fixtures.hostGWConfig, clock: clock)
        registry.put(Fixtures.lease("10.1.7.0/24", "192.168.1.7"))
        let service = makeService(registry)
        try await running(service) {
            _ = try await waitForState(service.publisher) { $0.phase == .leased && $0.remoteLeases.map(\.subnet) == [Fixtures.subnet("10.1.7.0/24")] }
            registry.put(Fixtures.lease("10.1.8.0/24", "192.168.1.8"))
            _ = try await waitForState(service.publisher) { $0.remoteLeases.count == 2 }
            registry.remove(Fixtures.subnet("10.1.7.0/24"))
            let after = try await waitForState(service.publisher) { $0.remoteLeases.count == 1 }
            #expect(after.remoteLeases.map(\.subnet) == [Fixtures.subnet("10.1.8.0/24")])
            #expect(after.lease?.subnet == Fixtures.subnet("10.1.1.0/24"))
        }
    }

    @Test("a restart with the same PublicIP reuses its lease; a new PublicIP gets the subnet file's subnet when free")
    func restartAndSubnetFile() async throws {
        let registry = FakeSubnetRegistry(config: Fixtures.hostGWConfig, clock: clock)
        try AtomicFile.write("FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.42.1/24\nFLANNEL_MTU=1500\nFLANNEL_IPMASQ=true\n", to: directory + "/subnet.env")
        let first = makeService(registry)
        let leased = try await running(first) { try await waitForState(first.publisher) { $0.phase == .leased } }
        #expect(leased.lease?.subnet == Fixtures.subnet("10.1.42.0/24"))
        let second = makeService(registry)
        let again = try await running(second) { try await waitForState(second.publisher) { $0.phase == .leased } }
        #expect(again.lease?.subnet == Fixtures.subnet("10.1.42.0/24"))
        #expect(registry.calls.filter { $0 == "update 10.1.42.0/24" }.count == 1)
    }

    @Test("a missing config waits, invalid config names the field, and neither ends the service")
    func configWaits() async throws {
        let registry = FakeSubnetRegistry(config: nil, clock: clock)
        let service = makeService(registry)
        try await running(service) {
            let waiting = try await waitForState(service.publisher) {
                if case .waitingForConfig = $0.phase { true } else { false }
            }
            #expect(waiting.networkUnavailable.unavailable)
            #expect(waiting.networkUnavailable.message == "/coreos.com/network/config does not exist under the etcd v3 API")
            registry.setConfig(#"{"Network":"10.1.0.0/16","SubnetMax":"10.9.0.0","Backend":{"Type":"host-gw"}}"#)
            try await clock.waitForSleeper { $0 > clock.now }
            clock.advance(by: 2)
            let invalid = try await waitForState(service.publisher) {
                if case .configInvalid = $0.phase { true } else { false }
            }
            #expect(invalid.networkUnavailable.reason == "FlannelConfigInvalid")
            #expect(invalid.networkUnavailable.message.contains("SubnetMax 10.9.0.0: is not in the range of the Network 10.1.0.0/16"))
            registry.setConfig(Fixtures.hostGWConfig)
            try await clock.waitForSleeper { $0 > clock.now }
            clock.advance(by: 4)
            _ = try await waitForState(service.publisher) { $0.phase == .leased }
        }
    }
}

/// Polls a condition in real time (for effects of background tasks with no state to await).
func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let start = ContinuousClock.now
    while !condition() {
        if ContinuousClock.now - start > timeout { throw TestTimeout(what: "a condition") }
        try await Task.sleep(for: .milliseconds(5))
    }
}

@Suite("Lease service logs")
struct LeaseServiceLogTests {
    @Test("a missing config is logged once per minute while polling backs off, naming the key and the APIs")
    func missingConfigLoggedOncePerMinute() async throws {
        let clock = ManualLeaseClock()
        let v3 = FakeSubnetRegistry(api: .v3, config: nil, clock: clock)
        let v2 = FakeSubnetRegistry(api: .v2, config: nil, clock: clock)
        let (logger, log) = RecordingLogHandler.logger()
        let service = SubnetLeaseService(
            configuration: .init(publicIP: Fixtures.ip("192.168.1.5"), subnetFile: "/nonexistent/subnet.env", dockerOptionsFile: nil),
            selected: [v3, v2], etcdPrefix: "/atomic.io/network", clock: clock, logger: logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let warnings = { log.messages.filter { $0.level == .warning }.map(\.text) }
        try await waitUntil { warnings().count == 1 }
        #expect(warnings() == [
            "waiting for the flannel network config: /atomic.io/network/config does not exist under the etcd v3 and v2 APIs"
        ])
        // Polls at 1, 2, 4, 8, 16, 30, 30 s...: about 2 minutes of polling gives two more lines.
        var polls = 0
        while clock.now.timeIntervalSince1970 < 1_800_000_000 + 125 {
            try await clock.waitForSleeper { $0 > clock.now }
            clock.advance(by: clock.deadlines.first!.timeIntervalSince(clock.now))
            polls += 1
        }
        try await waitUntil { v3.calls.filter { $0 == "config" }.count == polls + 1 }
        #expect(polls >= 8)
        #expect(warnings().count == 3)
        #expect(service.publisher.current.networkUnavailable.reason == "FlannelConfigMissing")
    }
}
