import RouteNetlink
import Testing

@testable import FlannelBackend
import IPv4

/// One case of the plan tables: leases in, entries out.
struct PlanCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var remotes: [RemoteLease]
    var routes: [String]
    var neighbours: [String] = []
    var fdb: [String] = []
    var ignored: [String] = []
}

private let hostGatewayCases: [PlanCase] = [
    PlanCase(testDescription: "no other lease: no route", remotes: [], routes: []),
    PlanCase(
        testDescription: "a route per other lease via its public IP on the interface reaching it",
        remotes: [Fixtures.hostGW(20, publicIP: "192.168.50.2"), Fixtures.hostGW(30, publicIP: "192.168.60.3")],
        routes: ["10.1.20.0/24 via 192.168.50.2 dev #2 proto 151", "10.1.30.0/24 via 192.168.60.3 dev #3 proto 151"]),
    PlanCase(
        testDescription: "our own lease gets no route",
        remotes: [Fixtures.hostGW(15, publicIP: "192.168.50.1"), Fixtures.hostGW(20, publicIP: "192.168.50.2")],
        routes: ["10.1.20.0/24 via 192.168.50.2 dev #2 proto 151"]),
    PlanCase(
        testDescription: "a vxlan lease is ignored with its reason",
        remotes: [Fixtures.vxlan(20, publicIP: "192.168.50.2", mac: "0e:00:00:00:00:02")], routes: [],
        ignored: ["lease 10.1.20.0/24: backend type vxlan, not host-gw"]),
    PlanCase(
        testDescription: "a lease whose public IP is behind a gateway is ignored",
        remotes: [Fixtures.hostGW(50, publicIP: "172.16.9.9")], routes: [],
        ignored: ["lease 10.1.50.0/24: its public IP 172.16.9.9 is reached via the gateway 192.168.50.254, and host-gw needs the nodes on one link"]),
    PlanCase(
        testDescription: "a lease whose public IP nothing reaches is ignored",
        remotes: [Fixtures.hostGW(40, publicIP: "172.31.0.9")], routes: [],
        ignored: ["lease 10.1.40.0/24: no interface reaches its public IP 172.31.0.9"]),
]

private let vxlanCases: [PlanCase] = [
    PlanCase(
        testDescription: "per vxlan lease: neighbour, FDB entry and onlink route on flannel.1",
        remotes: [Fixtures.vxlan(20, publicIP: "192.168.50.2", mac: "0e:00:00:00:00:02")],
        routes: ["10.1.20.0/24 via 10.1.20.0 dev #9 proto 151 onlink"],
        neighbours: ["10.1.20.0 dev #9 lladdr 0e:00:00:00:00:02 PERMANENT"],
        fdb: ["0e:00:00:00:00:02 dev #9 dst 192.168.50.2 self permanent"]),
    PlanCase(
        testDescription: "a host-gw lease and a lease without a VTEP MAC are ignored",
        remotes: [Fixtures.hostGW(20, publicIP: "192.168.50.2"), Fixtures.vxlan(30, publicIP: "192.168.50.3", mac: "zz")],
        routes: [],
        ignored: [
            "lease 10.1.20.0/24: backend type host-gw, not vxlan",
            "lease 10.1.30.0/24: BackendData.VtepMAC \"zz\" is not a MAC address",
        ]),
    PlanCase(
        testDescription: "our own lease gets no entries",
        remotes: [Fixtures.vxlan(15, publicIP: "192.168.50.1", mac: "0e:00:00:00:00:01")], routes: []),
]

@Suite("backend plans from leases")
struct RoutingPlanTests {
    static func direct(_ address: String, _ link: Int32) -> (IPv4Address, Route) {
        (IPv4Address(address)!, Route(destination: IPv4Network(address)!, gateway: nil, linkIndex: link))
    }

    static let reaching: [IPv4Address: Route] = Dictionary(
        uniqueKeysWithValues: [
            direct("192.168.50.1", 2), direct("192.168.50.2", 2), direct("192.168.60.3", 3),
            (IPv4Address("172.16.9.9")!, Route(destination: IPv4Network("172.16.9.9/32")!, gateway: IPv4Address("192.168.50.254"), linkIndex: 2)),
        ])

    @Test("host-gw", arguments: hostGatewayCases)
    func hostGateway(_ c: PlanCase) {
        let plan = RoutingPlan.hostGateway(local: Fixtures.local, remotes: c.remotes, reaching: Self.reaching)
        #expect(plan.routes.map(\.description) == c.routes)
        #expect(plan.neighbours.isEmpty && plan.fdbEntries.isEmpty)
        #expect(plan.ignored.map(\.description) == c.ignored)
    }

    @Test("vxlan", arguments: vxlanCases)
    func vxlan(_ c: PlanCase) {
        let plan = RoutingPlan.vxlan(local: Fixtures.local, remotes: c.remotes, deviceIndex: 9)
        #expect(plan.routes.map(\.description) == c.routes)
        #expect(plan.neighbours.map(\.description) == c.neighbours)
        #expect(plan.fdbEntries.map(\.description) == c.fdb)
        #expect(plan.ignored.map(\.description) == c.ignored)
    }
}

/// One case of the diff table: what the kernel holds, what the plan wants, the changes.
struct DiffCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var plan: RoutingPlan
    var routes: [Route] = []
    var neighbours: [Neighbour] = []
    var fdb: [FDBEntry] = []
    var changes: [String]
}

private let mac2 = MACAddress("0e:00:00:00:00:02")!
private let mac3 = MACAddress("0e:00:00:00:00:03")!
private let vxlan20 = RoutingPlan.vxlan(
    local: Fixtures.local, remotes: [Fixtures.vxlan(20, publicIP: "192.168.50.2", mac: "0e:00:00:00:00:02")], deviceIndex: 9)

private let diffCases: [DiffCase] = [
    DiffCase(
        testDescription: "from scratch everything is added, neighbour, FDB, then route",
        plan: vxlan20,
        changes: [
            "replace neighbour 10.1.20.0 dev #9 lladdr 0e:00:00:00:00:02 PERMANENT",
            "replace fdb 0e:00:00:00:00:02 dev #9 dst 192.168.50.2 self permanent",
            "replace route 10.1.20.0/24 via 10.1.20.0 dev #9 proto 151 onlink",
        ]),
    DiffCase(
        testDescription: "what the kernel holds already is left alone",
        plan: vxlan20, routes: vxlan20.routes, neighbours: vxlan20.neighbours, fdb: vxlan20.fdbEntries, changes: []),
    DiffCase(
        testDescription: "a lease gone: its route, FDB entry and neighbour are deleted in that order",
        plan: RoutingPlan(), routes: vxlan20.routes, neighbours: vxlan20.neighbours, fdb: vxlan20.fdbEntries,
        changes: [
            "delete route 10.1.20.0/24 via 10.1.20.0 dev #9 proto 151 onlink",
            "delete fdb 0e:00:00:00:00:02 dev #9 dst 192.168.50.2 self permanent",
            "delete neighbour 10.1.20.0 dev #9 lladdr 0e:00:00:00:00:02 PERMANENT",
        ]),
    DiffCase(
        testDescription: "a lease whose VTEP MAC changed: its entries are replaced, the old MAC's FDB entry deleted",
        plan: vxlan20, routes: vxlan20.routes,
        neighbours: [Neighbour(address: IPv4Address("10.1.20.0")!, mac: mac3, linkIndex: 9)],
        fdb: [FDBEntry(mac: mac3, destination: IPv4Address("192.168.50.2"), linkIndex: 9)],
        changes: [
            "delete fdb 0e:00:00:00:00:03 dev #9 dst 192.168.50.2 self permanent",
            "replace neighbour 10.1.20.0 dev #9 lladdr 0e:00:00:00:00:02 PERMANENT",
            "replace fdb 0e:00:00:00:00:02 dev #9 dst 192.168.50.2 self permanent",
        ]),
    DiffCase(
        testDescription: "routes the backend did not make are never deleted: another protocol, or outside the network",
        plan: RoutingPlan(),
        routes: [
            Fixtures.route("10.1.40.0/24", via: "192.168.50.4", dev: 2, proto: 3),
            Fixtures.route("172.16.0.0/24", via: "192.168.50.4", dev: 2),
            Fixtures.route("0.0.0.0/0", via: "192.168.50.254", dev: 2, proto: 3),
        ],
        changes: []),
    DiffCase(
        testDescription: "a route of someone else to a leased subnet is replaced by ours",
        plan: RoutingPlan(routes: [Fixtures.route("10.1.20.0/24", via: "192.168.50.2", dev: 2)]),
        routes: [Fixtures.route("10.1.20.0/24", via: "192.168.50.2", dev: 2, proto: 3)],
        changes: ["replace route 10.1.20.0/24 via 192.168.50.2 dev #2 proto 151"]),
    DiffCase(
        testDescription: "neighbours the kernel learned (not permanent) and entries on other links are left alone",
        plan: RoutingPlan(),
        neighbours: [
            Neighbour(address: IPv4Address("10.1.30.0")!, mac: mac3, linkIndex: 9, state: 0x02),
            Neighbour(address: IPv4Address("192.168.50.9")!, mac: mac3, linkIndex: 2),
        ],
        fdb: [FDBEntry(mac: mac3, destination: nil, linkIndex: 2)],
        changes: []),
]

@Suite("changes from plan and kernel")
struct RoutingDiffTests {
    @Test("diff", arguments: diffCases)
    func diff(_ c: DiffCase) {
        let changes = RoutingDiff.changes(
            plan: c.plan, network: Fixtures.network, vxlanDevice: 9, routes: c.routes, neighbours: c.neighbours, fdbEntries: c.fdb)
        #expect(changes.map(\.description) == c.changes)
    }

    @Test("host-gw touches no neighbour or FDB entry")
    func hostGatewayLeavesNeighbours() {
        let changes = RoutingDiff.changes(
            plan: RoutingPlan(), network: Fixtures.network, vxlanDevice: nil, routes: [], neighbours: vxlan20.neighbours,
            fdbEntries: vxlan20.fdbEntries)
        #expect(changes.isEmpty)
    }
}

@Suite("the vxlan device")
struct VXLANDevicePlanTests {
    static let wanted = VXLANAttributes(id: 1, local: IPv4Address("192.168.50.1"), underlayIndex: 2, port: 8472, learning: false)

    static func device(_ attributes: VXLANAttributes?, kind: String? = "vxlan") -> Link {
        Link(index: 9, name: "flannel.1", mtu: 1450, isUp: true, address: mac2, kind: kind, vxlan: attributes)
    }

    @Test("absent: created; matching: kept; another VNI, port, local, underlay or learning: recreated; not vxlan: recreated")
    func decisions() {
        #expect(VXLANDevicePlan.decide(existing: nil, desired: Self.wanted) == .create)
        #expect(VXLANDevicePlan.decide(existing: Self.device(Self.wanted), desired: Self.wanted) == .keep(Self.device(Self.wanted)))
        var other = Self.wanted
        for change in [{ (a: inout VXLANAttributes) in a.id = 2 }, { $0.port = 4789 }, { $0.local = IPv4Address("192.168.50.9") },
            { $0.underlayIndex = 3 }, { $0.learning = true }] {
            other = Self.wanted
            change(&other)
            #expect(VXLANDevicePlan.decide(existing: Self.device(other), desired: Self.wanted) == .recreate(Self.device(other)))
        }
        #expect(VXLANDevicePlan.decide(existing: Self.device(nil, kind: "dummy"), desired: Self.wanted) == .recreate(Self.device(nil, kind: "dummy")))
    }

    @Test("the MAC is the existing device's, else the stored one, else the chosen one, else random and locally administered")
    func mac() {
        let mac4 = MACAddress("0e:00:00:00:00:04")!
        #expect(VXLANDevicePlan.mac(existing: Self.device(Self.wanted), stored: mac3, chosen: mac4) == mac2)
        #expect(VXLANDevicePlan.mac(existing: nil, stored: mac3, chosen: mac4) == mac3)
        #expect(VXLANDevicePlan.mac(existing: nil, stored: nil, chosen: mac4) == mac4)
        let fresh = VXLANDevicePlan.mac(existing: nil, stored: nil, chosen: nil)
        #expect(fresh.bytes[0] & 0x03 == 0x02)
    }

    @Test("BackendData carries the VNI and the VTEP MAC")
    func backendData() {
        let setup = BackendSetup(
            backendType: "vxlan", mtu: 1450, underlay: Self.device(nil, kind: nil), vtepMAC: mac2, vni: 1)
        #expect(setup.backendDataJSON == #"{"VNI":1,"VtepMAC":"0e:00:00:00:00:02"}"#)
    }
}
