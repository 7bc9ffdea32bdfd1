import TestSupport
import Foundation
import Testing

@testable import RouteNetlink
import IPv4

/// Each test works in a scratch network namespace with a veth underlay `u0` (192.168.50.1/24)
/// and compares what `ip` and `bridge` list there with what it programmed through netlink.
@Suite("rtnetlink in a scratch network namespace", .serialized)
struct KernelTests {
    // No silent skip: without root and ip these tests fail, and this one says why.
    @Test("the machine has what the kernel tests need: root and iproute2")
    func prerequisites() {
        #expect(ScratchNamespace.isAvailable, "run as root with iproute2 installed (scripts/install-deps.sh)")
    }

    /// A namespace with the underlay, and a socket in it. (Not a closure-taking helper: #expect
    /// cannot tell that a closure throws, and drops the `try` of its expression there.)
    final class Node {
        let namespace: ScratchNamespace
        let netlink: Rtnetlink
        let underlay: Link

        init() throws {
            namespace = try ScratchNamespace(prefix: "clcrt")
            do {
                // A veth pair, not a dummy: this kernel may have no dummy driver.
                try namespace.exec("ip", "link", "add", "u0", "mtu", "1500", "type", "veth", "peer", "name", "u1")
                try namespace.exec("ip", "addr", "add", "192.168.50.1/24", "dev", "u0")
                try namespace.exec("ip", "link", "set", "u1", "up")
                try namespace.exec("ip", "link", "set", "u0", "up")
                netlink = try Rtnetlink(networkNamespace: namespace.path)
                underlay = try #require(try netlink.link(named: "u0"))
            } catch {
                namespace.remove()
                throw error
            }
        }

        func close() { namespace.remove() }
    }

    @Test("links are found by name and index, with their MTU and addresses; an absent one is nil")
    func links() throws {
        let node = try Node()
        defer { node.close() }
        let (namespace, netlink, underlay) = (node.namespace, node.netlink, node.underlay)
        #expect(underlay.name == "u0")
        #expect(underlay.mtu == 1500)
        #expect(underlay.isUp)
        #expect(try netlink.link(index: underlay.index)?.name == "u0")
        #expect(try netlink.link(named: "nothing0") == nil)
        #expect(try netlink.addresses(linkIndex: underlay.index) == [IPv4Network("192.168.50.1/24")!])
        let direct = try netlink.route(to: IPv4Address("192.168.50.2")!)
        #expect(direct.linkIndex == underlay.index)
        #expect(direct.gateway == nil)
        try namespace.exec("ip", "route", "add", "172.31.0.0/16", "via", "192.168.50.254")
        #expect(try netlink.route(to: IPv4Address("172.31.0.9")!).gateway == IPv4Address("192.168.50.254"))
        #expect(throws: RouteNetlinkError.self) { try netlink.route(to: IPv4Address("203.0.113.1")!) }
    }

    @Test("a vxlan device is created as flannel creates it and reads back with the same attributes")
    func vxlanDevice() throws {
        let node = try Node()
        defer { node.close() }
        let (namespace, netlink, underlay) = (node.namespace, node.netlink, node.underlay)
        let mac = MACAddress("0e:11:22:33:44:55")!
        let attributes = VXLANAttributes(
            id: 1, local: IPv4Address("192.168.50.1"), underlayIndex: underlay.index, port: 8472, learning: false)
        try netlink.createVXLAN(VXLANLinkSpec(name: "flannel.1", attributes: attributes, mtu: 1450, address: mac))
        let device = try #require(try netlink.link(named: "flannel.1"))
        #expect(device.kind == "vxlan")
        #expect(device.vxlan == attributes)
        #expect(device.address == mac)
        #expect(device.mtu == 1450)
        #expect(!device.isUp)
        try netlink.setUp(linkIndex: device.index, mtu: nil)
        try netlink.replaceAddress(IPv4Network("10.1.15.0/32")!, linkIndex: device.index)
        let shown = try namespace.exec("ip", "-d", "link", "show", "flannel.1")
        #expect(shown.contains("vxlan id 1 local 192.168.50.1 dev u0"))
        #expect(shown.contains("dstport 8472"))
        #expect(shown.contains("nolearning"))
        #expect(shown.contains("link/ether 0e:11:22:33:44:55"))
        #expect(try netlink.link(index: device.index)?.isUp == true)
        #expect(try netlink.addresses(linkIndex: device.index) == [IPv4Network("10.1.15.0/32")!])
        // Creating it again is refused with EEXIST, named.
        #expect(throws: RouteNetlinkError.self) {
            try netlink.createVXLAN(VXLANLinkSpec(name: "flannel.1", attributes: attributes, mtu: 1450, address: nil))
        }
        try netlink.deleteLink(device)
        #expect(try netlink.link(named: "flannel.1") == nil)
    }

    @Test("routes, neighbours and FDB entries are programmed in one batch, listed as ip and bridge list them, and deleted")
    func entries() throws {
        let node = try Node()
        defer { node.close() }
        let (namespace, netlink, underlay) = (node.namespace, node.netlink, node.underlay)
        try namespace.exec("ip", "link", "add", "flannel.1", "type", "vxlan", "id", "1", "local", "192.168.50.1", "dev", "u0", "dstport", "8472", "nolearning")
        try namespace.exec("ip", "link", "set", "flannel.1", "up")
        let vtep = try #require(try netlink.link(named: "flannel.1")).index
        let mac = MACAddress("0e:00:00:00:00:02")!
        let vxlanRoute = Route(destination: IPv4Network("10.1.20.0/24")!, gateway: IPv4Address("10.1.20.0"), linkIndex: vtep, onLink: true)
        let hostRoute = Route(destination: IPv4Network("10.1.30.0/24")!, gateway: IPv4Address("192.168.50.3"), linkIndex: underlay.index)
        let neighbour = Neighbour(address: IPv4Address("10.1.20.0")!, mac: mac, linkIndex: vtep)
        let fdb = FDBEntry(mac: mac, destination: IPv4Address("192.168.50.2"), linkIndex: vtep)
        try netlink.apply([.replaceNeighbour(neighbour), .replaceFDB(fdb), .replaceRoute(vxlanRoute), .replaceRoute(hostRoute)])

        #expect(try namespace.exec("ip", "route", "show", "proto", "151").sortedLines == [
            "10.1.20.0/24 via 10.1.20.0 dev flannel.1 onlink",
            "10.1.30.0/24 via 192.168.50.3 dev u0",
        ])
        #expect(try namespace.exec("ip", "neigh", "show", "dev", "flannel.1").sortedLines == ["10.1.20.0 lladdr 0e:00:00:00:00:02 PERMANENT"])
        #expect(try namespace.exec("bridge", "fdb", "show", "dev", "flannel.1").sortedLines == ["0e:00:00:00:00:02 dst 192.168.50.2 self permanent"])

        let routes = try netlink.routes(table: Route.mainTable).filter { $0.protocolNumber == Route.clcNodeProtocol }
        #expect(Set(routes) == [vxlanRoute, hostRoute])
        #expect(try netlink.neighbours(linkIndex: vtep) == [neighbour])
        #expect(try netlink.fdbEntries(linkIndex: vtep) == [fdb])

        // Replacing again is no error; deleting empties the listings.
        try netlink.apply([.replaceNeighbour(neighbour), .replaceFDB(fdb), .replaceRoute(vxlanRoute)])
        try netlink.apply([.deleteRoute(vxlanRoute), .deleteRoute(hostRoute), .deleteFDB(fdb), .deleteNeighbour(neighbour)])
        #expect(try namespace.exec("ip", "route", "show", "proto", "151").sortedLines == [])
        #expect(try namespace.exec("ip", "neigh", "show", "dev", "flannel.1").sortedLines == [])
        #expect(try namespace.exec("bridge", "fdb", "show", "dev", "flannel.1").sortedLines == [])
    }

    @Test("a refused change is named, and the rest of the batch is still applied")
    func refusal() throws {
        let node = try Node()
        defer { node.close() }
        let (namespace, netlink, underlay) = (node.namespace, node.netlink, node.underlay)
        let good = Route(destination: IPv4Network("10.1.30.0/24")!, gateway: IPv4Address("192.168.50.3"), linkIndex: underlay.index)
        // A gateway off every link without onlink: ENETUNREACH.
        let bad = Route(destination: IPv4Network("10.1.40.0/24")!, gateway: IPv4Address("172.31.0.1"), linkIndex: underlay.index)
        do {
            try netlink.apply([.replaceRoute(bad), .replaceRoute(good)])
            Issue.record("the unreachable gateway was accepted")
        } catch {
            guard case let .refused(operation, _, _, others) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(operation.contains("10.1.40.0/24 via 172.31.0.1"))
            #expect(others == 0)
            #expect("\(error)".contains("the kernel refused to replace route 10.1.40.0/24"))
        }
        #expect(try namespace.exec("ip", "route", "show", "proto", "151").sortedLines == ["10.1.30.0/24 via 192.168.50.3 dev u0"])
    }
}
