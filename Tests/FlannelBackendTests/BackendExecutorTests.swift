import Foundation
import Logging
import RouteNetlink
import Testing

@testable import FlannelBackend
import IPv4

@Suite("the backend executor against a fake kernel")
struct BackendExecutorTests {
    static func kernel() -> FakeRoutingNetlink {
        var tables = FakeRoutingNetlink.Tables()
        tables.links = [Link(index: 2, name: "eth0", mtu: 1500, isUp: true, address: MACAddress("52:54:00:00:00:01"))]
        tables.addresses = [InterfaceAddress(network: IPv4Network("192.168.50.1/24")!, linkIndex: 2)]
        tables.reach = [
            IPv4Address("192.168.50.2")!: Route(destination: IPv4Network("192.168.50.2/32")!, gateway: nil, linkIndex: 2),
            IPv4Address("192.168.50.3")!: Route(destination: IPv4Network("192.168.50.3/32")!, gateway: nil, linkIndex: 2),
        ]
        return FakeRoutingNetlink(tables)
    }

    static func executor(_ kind: BackendKind, _ kernel: FakeRoutingNetlink) -> BackendExecutor {
        BackendExecutor(network: Fixtures.network, local: Fixtures.local, kind: kind, netlink: kernel, logger: Logger(label: "test"))
    }

    @Test("host-gw: routes follow leases added and removed, and a route deleted from outside comes back")
    func hostGatewayFollowsLeases() throws {
        let kernel = Self.kernel()
        let executor = Self.executor(.hostGateway, kernel)
        let setup = try executor.setUp()
        #expect(setup.mtu == 1500)
        #expect(setup.backendDataJSON == "null")
        let b = Fixtures.hostGW(20, publicIP: "192.168.50.2")
        let c = Fixtures.hostGW(30, publicIP: "192.168.50.3")
        try executor.reconcile([b, c])
        #expect(kernel.routes(table: Route.mainTable).map(\.description).sorted() == [
            "10.1.20.0/24 via 192.168.50.2 dev #2 proto 151", "10.1.30.0/24 via 192.168.50.3 dev #2 proto 151",
        ])
        #expect(try executor.reconcile([b, c]).isEmpty)
        kernel.apply([.deleteRoute(Fixtures.route("10.1.20.0/24", via: "192.168.50.2", dev: 2))])
        #expect(try executor.reconcile([b, c]).map(\.description) == ["replace route 10.1.20.0/24 via 192.168.50.2 dev #2 proto 151"])
        #expect(try executor.reconcile([c]).map(\.description) == ["delete route 10.1.20.0/24 via 192.168.50.2 dev #2 proto 151"])
        #expect(kernel.routes(table: Route.mainTable).count == 1)
    }

    @Test("vxlan: the device is created once with MTU underlay - 50, its /32 and its MAC; entries follow leases")
    func vxlanDeviceAndEntries() throws {
        let kernel = Self.kernel()
        let executor = Self.executor(.vxlan(VXLANSettings()), kernel)
        let setup = try executor.setUp()
        #expect(setup.mtu == 1450)
        let device = try #require(kernel.link(named: "flannel.1"))
        #expect(device.isUp)
        #expect(device.vxlan == VXLANAttributes(id: 1, local: IPv4Address("192.168.50.1"), underlayIndex: 2, port: 8472, learning: false))
        #expect(setup.vtepMAC == device.address)
        #expect(try kernel.addresses(linkIndex: device.index) == [IPv4Network("10.1.15.0/32")!])
        let b = Fixtures.vxlan(20, publicIP: "192.168.50.2", mac: "0e:00:00:00:00:02")
        try executor.reconcile([b])
        #expect(kernel.neighbours(linkIndex: device.index).count == 1)
        #expect(kernel.fdbEntries(linkIndex: device.index).count == 1)
        #expect(kernel.routes(table: Route.mainTable).map(\.description) == ["10.1.20.0/24 via 10.1.20.0 dev #\(device.index) proto 151 onlink"])
        // A second executor (an agent restart) adopts the device and its MAC.
        let again = try Self.executor(.vxlan(VXLANSettings()), kernel).setUp()
        #expect(again.vtepMAC == setup.vtepMAC)
        #expect(kernel.tables.withLock { $0.created.count } == 1)
        try executor.reconcile([])
        #expect(kernel.neighbours(linkIndex: device.index).isEmpty)
        #expect(kernel.fdbEntries(linkIndex: device.index).isEmpty)
        #expect(kernel.routes(table: Route.mainTable).isEmpty)
    }

    @Test("vxlan: a device with another VNI or port is recreated with the MAC kept; a MAC state file survives the device")
    func vxlanRecreateAndStateFile() throws {
        let kernel = Self.kernel()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clc-vtep-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try Self.executor(.vxlan(VXLANSettings(macStateFile: path)), kernel).setUp()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(first.vtepMAC!)\n")
        let second = try Self.executor(.vxlan(VXLANSettings(port: 4789, macStateFile: path)), kernel).setUp()
        #expect(second.vtepMAC == first.vtepMAC)
        #expect(kernel.link(named: "flannel.1")?.vxlan?.port == 4789)
        // The device deleted (a reboot): the state file brings the MAC back.
        kernel.deleteLink(kernel.link(named: "flannel.1")!)
        let third = try Self.executor(.vxlan(VXLANSettings(port: 4789, macStateFile: path)), kernel).setUp()
        #expect(third.vtepMAC == first.vtepMAC)
    }

    @Test("the VTEP MAC is known before the lease, and the device created after it gets that MAC")
    func vtepMACBeforeLease() throws {
        let kernel = Self.kernel()
        let chosen = try BackendExecutor.vtepMAC(for: VXLANSettings(), netlink: kernel)
        // Without a state file the caller hands the chosen MAC back in the settings.
        let setup = try Self.executor(.vxlan(VXLANSettings(vtepMAC: chosen)), kernel).setUp()
        #expect(setup.vtepMAC == chosen)
        #expect(try BackendExecutor.vtepMAC(for: VXLANSettings(), netlink: kernel) == chosen)
    }

    @Test("a lease of another backend type is logged once, with its reason, and never routed")
    func otherBackendLoggedOnce() throws {
        let kernel = Self.kernel()
        let (logger, log) = RecordingLogHandler.logger()
        let executor = BackendExecutor(network: Fixtures.network, local: Fixtures.local, kind: .hostGateway, netlink: kernel, logger: logger)
        let vxlanLease = Fixtures.vxlan(20, publicIP: "192.168.50.2", mac: "0e:00:00:00:00:02")
        for _ in 0..<3 { try executor.reconcile([vxlanLease]) }
        #expect(log.all.filter { $0.hasPrefix("ignoring a lease") } == [
            "ignoring a lease flannel.lease=10.1.20.0/24 flannel.reason=backend type vxlan, not host-gw"
        ])
        #expect(kernel.routes(table: Route.mainTable).isEmpty)
    }

    @Test("a public IP no interface holds is a named error")
    func noUnderlay() {
        let executor = BackendExecutor(
            network: Fixtures.network, local: LocalLease(subnet: IPv4Network("10.1.15.0/24")!, publicIP: IPv4Address("172.31.0.1")!),
            kind: .hostGateway, netlink: Self.kernel(), logger: Logger(label: "test"))
        #expect {
            try executor.setUp()
        } throws: { error in
            "\(error)".contains("no interface holds the public IP 172.31.0.1")
        }
    }
}

@Suite("the lease routing service")
struct LeaseRoutingServiceTests {
    @Test("it programs nothing before the first leases, then each update, and re-adds a deleted route on the 10 s tick")
    func updatesAndTicks() async throws {
        let kernel = BackendExecutorTests.kernel()
        let executor = BackendExecutorTests.executor(.hostGateway, kernel)
        let clock = ManualClock()
        let service = LeaseRoutingService(executor: executor, interval: .seconds(10), clock: clock, logger: Logger(label: "test"))
        let run = Task { try await service.run() }
        defer { run.cancel() }
        try await waitFor { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(10))
        try await waitFor { service.reconcileCount == 0 && clock.sleeperCount == 1 }
        #expect(kernel.tables.withLock { $0.batches.isEmpty })

        service.update([Fixtures.hostGW(20, publicIP: "192.168.50.2")])
        try await waitFor { kernel.routes(table: Route.mainTable).count == 1 }
        // Deleted from outside: nothing happens until the tick, which puts it back.
        kernel.apply([.deleteRoute(Fixtures.route("10.1.20.0/24", via: "192.168.50.2", dev: 2))])
        let passes = service.reconcileCount
        clock.advance(by: .seconds(9))
        #expect(service.reconcileCount == passes)
        clock.advance(by: .seconds(1))
        try await waitFor { kernel.routes(table: Route.mainTable).count == 1 }
        service.update([])
        try await waitFor { kernel.routes(table: Route.mainTable).isEmpty }
        service.finish()
        try await run.value
    }

    /// Polls `condition` while the service's task runs; the clock does not move meanwhile.
    private func waitFor(_ condition: () -> Bool) async throws {
        // A poll, not a bound: generous for a loaded machine.
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 20 s")
                return
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
