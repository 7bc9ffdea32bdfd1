import Testing

@testable import ServiceProxy

/// The base state of the planner's cases: `kube-system/dns` with UDP port `dns` 53 (NodePort
/// 30053) and TCP port `dns-tcp` 53 on two pods, and `default/syslog`, UDP 514 (NodePort 30514)
/// with no endpoint yet.
private enum Base {
    static let dnsIP = Fixtures.ip("10.254.0.2")
    static let syslogIP = Fixtures.ip("10.254.0.40")
    static let podA = ProxiedService.Endpoint(ip: Fixtures.ip("10.244.1.9"), port: 53, podName: "dns-a")
    static let podB = ProxiedService.Endpoint(ip: Fixtures.ip("10.244.2.9"), port: 53, podName: "dns-b")
    static let syslogPod = ProxiedService.Endpoint(ip: Fixtures.ip("10.244.1.20"), port: 514, podName: "syslog-a")

    static let services = [
        ProxiedService(
            namespace: "kube-system", name: "dns", clusterIP: dnsIP,
            ports: [.init(name: "dns", protocol: .udp, port: 53, nodePort: 30053), .init(name: "dns-tcp", port: 53)],
            endpoints: ["dns": [podA, podB], "dns-tcp": [podA, podB]]),
        ProxiedService(
            name: "syslog", clusterIP: syslogIP, ports: [.init(name: "syslog", protocol: .udp, port: 514, nodePort: 30514)]),
    ]

    // What the filters name.
    static let dns = ConntrackFilter.Destination.serviceIP(dnsIP, port: 53)
    static let dnsNodePort = ConntrackFilter.Destination.nodePort(30053)
    static let a = ConntrackFilter.Endpoint(podA)
    static let b = ConntrackFilter.Endpoint(podB)
}

extension [ProxiedService] {
    /// Changes the service called `name`.
    fileprivate mutating func edit(_ name: String, _ change: (inout ProxiedService) -> Void) {
        guard let index = firstIndex(where: { $0.name == name }) else { fatalError("no service \(name)") }
        change(&self[index])
    }
}

/// One change of services between two syncs and the filters it calls for.
struct StaleCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var old: [ProxiedService] = Base.services
    var change: @Sendable (inout [ProxiedService]) -> Void
    var expected: [ConntrackFilter]
}

private let staleCases: [StaleCase] = [
    StaleCase(testDescription: "nothing changed: no entry is stale", change: { _ in }, expected: []),
    StaleCase(
        testDescription: "a pod renamed at the same address and port: no entry is stale",
        change: { $0.edit("dns") { $0.endpoints["dns"]![1].podName = "dns-c" } }, expected: []),
    StaleCase(
        testDescription: "an endpoint leaves a UDP port: its flows by cluster IP and by NodePort are stale",
        change: { $0.edit("dns") { $0.endpoints["dns"] = [Base.podA] } },
        expected: [.udpNATed(to: Base.b, via: Base.dns), .udpNATed(to: Base.b, via: Base.dnsNodePort)]),
    StaleCase(
        testDescription: "an endpoint leaves only the TCP port: no entry is stale",
        change: { $0.edit("dns") { $0.endpoints["dns-tcp"] = [Base.podA] } }, expected: []),
    StaleCase(
        testDescription: "an endpoint joins a UDP port that has some: no entry is stale",
        change: { $0.edit("dns") { $0.endpoints["dns"]!.append(.init(ip: Fixtures.ip("10.244.3.9"), port: 53)) } },
        expected: []),
    StaleCase(
        testDescription: "the last endpoints leave a UDP port: the flows of each are stale",
        change: { $0.edit("dns") { $0.endpoints["dns"] = nil } },
        expected: [
            .udpNATed(to: Base.a, via: Base.dns), .udpNATed(to: Base.b, via: Base.dns),
            .udpNATed(to: Base.a, via: Base.dnsNodePort), .udpNATed(to: Base.b, via: Base.dnsNodePort),
        ]),
    StaleCase(
        testDescription: "an endpoint moves to another port at the same address: only the flows to its old port are stale",
        change: { $0.edit("dns") { $0.endpoints["dns"]![1].port = 5353 } },
        expected: [.udpNATed(to: Base.b, via: Base.dns), .udpNATed(to: Base.b, via: Base.dnsNodePort)]),
    StaleCase(
        testDescription: "a UDP port gets its first endpoint: every flow to its cluster IP:port and NodePort is stale",
        change: { $0.edit("syslog") { $0.endpoints["syslog"] = [Base.syslogPod] } },
        expected: [.udpToServiceIP(Base.syslogIP, port: 514), .udpToNodePort(30514)]),
    StaleCase(
        testDescription: "a new UDP service with an endpoint: every flow to its cluster IP:port is stale",
        change: {
            $0.append(
                ProxiedService(
                    name: "ntp", clusterIP: Fixtures.ip("10.254.0.50"), ports: [.init(protocol: .udp, port: 123)],
                    endpoints: ["": [.init(ip: Fixtures.ip("10.244.1.30"), port: 123)]]))
        },
        expected: [.udpToServiceIP(Fixtures.ip("10.254.0.50"), port: 123)]),
    StaleCase(
        testDescription: "a new UDP service without endpoints: no entry is stale",
        change: {
            $0.append(ProxiedService(name: "ntp", clusterIP: Fixtures.ip("10.254.0.50"), ports: [.init(protocol: .udp, port: 123)]))
        },
        expected: []),
    StaleCase(
        testDescription: "a UDP service is deleted: every flow to its cluster IP:port and NodePort is stale",
        change: { $0.removeAll { $0.name == "dns" } },
        expected: [.udpToServiceIP(Base.dnsIP, port: 53), .udpToNodePort(30053)]),
    StaleCase(
        testDescription: "a service drops its TCP port: no entry is stale",
        change: { $0.edit("dns") { $0.ports.removeLast() } }, expected: []),
    StaleCase(
        testDescription: "a UDP port turns TCP: every flow to what it served is stale",
        change: { $0.edit("dns") { $0.ports[0].protocol = .tcp } },
        expected: [.udpToServiceIP(Base.dnsIP, port: 53), .udpToNodePort(30053)]),
    StaleCase(
        testDescription: "a UDP port's NodePort changes: every flow to the old one and to the new one is stale",
        change: { $0.edit("dns") { $0.ports[0].nodePort = 30054 } },
        expected: [.udpToNodePort(30053), .udpToNodePort(30054)]),
    StaleCase(
        testDescription: "a NodePort handed to another service: the flows it DNATed to the old service's pods are stale",
        change: {
            $0.edit("dns") { $0.ports[0].nodePort = nil }
            $0.edit("syslog") {
                $0.ports[0].nodePort = 30053
                $0.endpoints["syslog"] = [Base.syslogPod]
            }
        },
        expected: [
            .udpToServiceIP(Base.syslogIP, port: 514), .udpNATed(to: Base.a, via: Base.dnsNodePort),
            .udpNATed(to: Base.b, via: Base.dnsNodePort), .udpToNodePort(30514),
        ]),
    StaleCase(
        testDescription: "the first sync after a start: every UDP port with endpoints is newly active", old: [],
        change: { $0 = Base.services },
        expected: [.udpToServiceIP(Base.dnsIP, port: 53), .udpToNodePort(30053)]),
]

@Suite("stale UDP conntrack entries")
struct StaleConntrackTests {
    @Test("the planner deletes what kube-proxy deletes", arguments: staleCases)
    func plans(_ scenario: StaleCase) {
        var new = scenario.old
        scenario.change(&new)
        let filters = StaleConntrack.filters(
            from: ServiceProxyState(services: scenario.old, node: Fixtures.node),
            to: ServiceProxyState(services: new, node: Fixtures.node))
        #expect(filters == scenario.expected)
    }

    @Test("a filter describes itself as the conntrack -D arguments that delete the same entries")
    func describesAsCommand() {
        #expect(ConntrackFilter.udpToServiceIP(Base.dnsIP, port: 53).description == "-p udp --orig-dst 10.254.0.2 --orig-port-dst 53")
        #expect(ConntrackFilter.udpToNodePort(30053).description == "-p udp --orig-port-dst 30053")
        #expect(
            ConntrackFilter.udpNATed(to: Base.b, via: Base.dns).description
                == "-p udp --orig-dst 10.254.0.2 --orig-port-dst 53 --reply-src 10.244.2.9 --reply-port-src 53")
    }

    /// Flows from a client 10.244.5.5 as conntrack records them.
    private static let client = Fixtures.ip("10.244.5.5")
    private static let viaClusterIPToB = ConntrackEntry.udp(client, 40001, to: Base.dnsIP, 53, repliedBy: Base.podB.ip, 53)
    private static let viaClusterIPToA = ConntrackEntry.udp(client, 40002, to: Base.dnsIP, 53, repliedBy: Base.podA.ip, 53)
    private static let viaNodePortToB = ConntrackEntry.udp(
        client, 40003, to: Fixtures.ip("192.168.77.1"), 30053, repliedBy: Base.podB.ip, 53)
    private static let notNATed = ConntrackEntry.udp(client, 40004, to: Base.dnsIP, 53)
    private static let toB5353 = ConntrackEntry.udp(client, 40005, to: Base.dnsIP, 53, repliedBy: Base.podB.ip, 5353)
    private static let tcpToB = ConntrackEntry(
        protocolNumber: 6, original: viaClusterIPToB.original, reply: viaClusterIPToB.reply)
    private static let otherPort = ConntrackEntry.udp(client, 40006, to: Base.dnsIP, 54, repliedBy: Base.podB.ip, 53)
    private static let everyFlow = [viaClusterIPToB, viaClusterIPToA, viaNodePortToB, notNATed, toB5353, tcpToB, otherPort]

    @Test(
        "a filter selects UDP flows by what the client addressed and, for an endpoint, by the reply's source",
        arguments: [
            (ConntrackFilter.udpToServiceIP(Base.dnsIP, port: 53), [viaClusterIPToB, viaClusterIPToA, notNATed, toB5353]),
            (.udpToNodePort(30053), [viaNodePortToB]),
            (.udpNATed(to: Base.b, via: Base.dns), [viaClusterIPToB]),
            (.udpNATed(to: Base.b, via: Base.dnsNodePort), [viaNodePortToB]),
        ])
    func selects(_ filter: ConntrackFilter, _ selected: [ConntrackEntry]) {
        #expect(Self.everyFlow.filter(filter.matches) == selected)
    }

    @Test("an index of several filters selects exactly the flows the filters select one by one")
    func indexAgreesWithFilters() {
        let filters: [ConntrackFilter] = [
            .udpNATed(to: Base.b, via: Base.dns), .udpNATed(to: Base.a, via: Base.dnsNodePort),
            .udpToServiceIP(Fixtures.ip("10.254.0.40"), port: 514), .udpNATed(to: .init(ip: Base.podB.ip, port: 5353), via: Base.dns),
        ]
        for count in 0...filters.count {
            let some = Array(filters.prefix(count))
            let index = ConntrackFilter.Index(some)
            for entry in Self.everyFlow {
                #expect(index.matches(entry) == some.contains { $0.matches(entry) }, "\(some) on \(entry)")
            }
        }
        // A filter for every flow to a destination selects its endpoints' flows too.
        let wide = ConntrackFilter.Index([.udpNATed(to: Base.a, via: Base.dns), .udpToServiceIP(Base.dnsIP, port: 53)])
        #expect(wide.matches(Self.viaClusterIPToB))
    }

    @Test("after a pod leaves, the planned deletion takes only the flows DNATed to it out of the table")
    func plannedDeletionOnATable() throws {
        let table = RecordingConntrackTable(entries: Self.everyFlow)
        var after = Base.services
        after.edit("dns") { $0.endpoints["dns"] = [Base.podA] }
        let filters = StaleConntrack.filters(from: ServiceProxyState(services: Base.services), to: ServiceProxyState(services: after))
        #expect(try table.delete(matching: filters) == 2)
        #expect(table.entries == [Self.viaClusterIPToA, Self.notNATed, Self.toB5353, Self.tcpToB, Self.otherPort])
        #expect(table.deletions == [filters])
    }
}
