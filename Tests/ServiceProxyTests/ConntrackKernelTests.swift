import Foundation
import Testing

@testable import ServiceProxy

/// The ctnetlink table against real UDP flows in a network namespace of each test's own (see
/// `ConntrackLab`); what is left is checked with our dump and with `/proc/net/nf_conntrack`.
@Suite("conntrack in a scratch network namespace")
struct ConntrackKernelTests {
    private static let x = ProxiedService.Endpoint(ip: Fixtures.ip("10.244.1.2"), port: 5353)
    private static let y = ProxiedService.Endpoint(ip: Fixtures.ip("10.244.1.3"), port: 5353)

    /// `dns` (10.254.0.2:53, NodePort 30053) on x and y, `dns-b` (10.254.0.3:53) on x, and
    /// `syslog` (10.254.0.4:53) on `syslog` endpoints: the lab's rules DNAT as the proxy would.
    private static func state(dns: [ProxiedService.Endpoint], syslog: [ProxiedService.Endpoint]) -> ServiceProxyState {
        ServiceProxyState(services: [
            ProxiedService(
                name: "dns", clusterIP: Fixtures.ip("10.254.0.2"),
                ports: [.init(protocol: .udp, port: 53, nodePort: 30053, targetPort: .number(5353))], endpoints: ["": dns]),
            ProxiedService(
                name: "dns-b", clusterIP: Fixtures.ip("10.254.0.3"),
                ports: [.init(protocol: .udp, port: 53, targetPort: .number(5353))], endpoints: ["": [x]]),
            ProxiedService(
                name: "syslog", clusterIP: Fixtures.ip("10.254.0.4"),
                ports: [.init(protocol: .udp, port: 53, targetPort: .number(5353))], endpoints: ["": syslog]),
        ])
    }

    /// The lab's UDP entries by original source port.
    private func flows(in lab: ConntrackLab) throws -> [UInt16: ConntrackEntry] {
        var flows: [UInt16: ConntrackEntry] = [:]
        for entry in try lab.table.entries() where entry.protocolNumber == 17 { flows[entry.original.sourcePort] = entry }
        return flows
    }

    @Test("the machine has what the conntrack tests need: root, ip, nft and python3")
    func prerequisites() {
        #expect(NetworkNamespace.isAvailable, "run as root with iproute2 and nftables installed (scripts/install-deps.sh)")
        #expect((try? NetworkNamespace.run("/usr/bin/env", ["python3", "-c", "pass"])) != nil, "python3 is needed")
    }

    @Test("after an endpoint leaves and a service gets its first, exactly the stale flows are deleted, in any zone")
    func deletesExactlyTheStaleFlows() throws {
        let lab = try ConntrackLab()
        defer { lab.tearDown() }
        try lab.send([
            (40001, "10.254.0.2", 53),  // DNATed to x: stale, x left dns
            (40002, "10.254.0.2", 53),  // DNATed to y, which stays
            (40003, "10.254.0.3", 53),  // DNATed to x, but for dns-b, which keeps x
            (40004, "127.0.0.1", 30053),  // the NodePort, DNATed to x: stale
            (40005, "10.254.0.4", 53),  // syslog before it had endpoints: stale
            (40006, "10.254.0.4", 54),  // another port of that address
            (40007, "10.254.0.4", 53),  // the same in zone 7: stale
            (40008, "10.244.1.2", 5353),  // straight to x, not through a service
        ])
        let made = try flows(in: lab)
        #expect(made.keys.sorted() == Array(40001...40008))
        #expect(try lab.procFlows() == made.mapValues(\.zone), "our dump and /proc/net/nf_conntrack agree")
        #expect(made[40001].map { "\($0.reply.source):\($0.reply.sourcePort)" } == "10.244.1.2:5353")
        #expect(made[40007]?.zone == 7)

        let filters = StaleConntrack.filters(
            from: Self.state(dns: [Self.x, Self.y], syslog: []), to: Self.state(dns: [Self.y], syslog: [Self.y]))
        let xFlows = ConntrackFilter.Endpoint(Self.x)
        #expect(
            filters == [
                .udpNATed(to: xFlows, via: .serviceIP(Fixtures.ip("10.254.0.2"), port: 53)),
                .udpToServiceIP(Fixtures.ip("10.254.0.4"), port: 53), .udpNATed(to: xFlows, via: .nodePort(30053)),
            ])
        #expect(try lab.table.delete(matching: filters) == 4)

        #expect(try flows(in: lab).keys.sorted() == [40002, 40003, 40006, 40008])
        #expect(try lab.procFlows().keys.sorted() == [40002, 40003, 40006, 40008])
        #expect(try lab.table.delete(matching: filters) == 0, "a second run finds nothing left")
    }

    @Test("an entry already gone, or replaced by a flow with another id, is left alone and is no error")
    func goneEntriesAreNoError() throws {
        let lab = try ConntrackLab()
        defer { lab.tearDown() }
        try lab.send([(40001, "10.254.0.2", 53), (40002, "10.254.0.2", 53)])
        let made = try flows(in: lab)
        let first = try #require(made[40001])
        var otherID = try #require(made[40002])
        #expect(otherID.id != nil)
        otherID.id = otherID.id.map { $0 &+ 1 }
        #expect(try lab.table.delete([first, otherID]) == 1)
        #expect(try lab.table.delete([first]) == 0)
        #expect(try flows(in: lab).keys.sorted() == [40002])
    }

    @Test("600 stale flows, more than one dump datagram and one deletion datagram hold, are all deleted")
    func deletesManyFlows() throws {
        let lab = try ConntrackLab()
        defer { lab.tearDown() }
        let ports = Array(UInt16(41000)..<41600)
        try lab.send(ports.map { (sourcePort: $0, host: "10.254.0.4", port: UInt16(53)) } + [(40006, "10.254.0.4", 54)])
        #expect(try flows(in: lab).count == 601)
        #expect(try lab.table.delete(matching: [.udpToServiceIP(Fixtures.ip("10.254.0.4"), port: 53)]) == 600)
        #expect(try flows(in: lab).keys.sorted() == [40006])
        #expect(try lab.procFlows().keys.sorted() == [40006])
    }

    @Test("a network namespace that does not exist is named in the error")
    func missingNamespace() {
        let path = "/var/run/netns/clcproxy-ct-no-such-namespace"
        #expect(throws: NetfilterError.system(operation: "open network namespace \(path)", errno: ENOENT)) {
            try NetlinkConntrackTable(networkNamespace: path)
        }
    }
}
