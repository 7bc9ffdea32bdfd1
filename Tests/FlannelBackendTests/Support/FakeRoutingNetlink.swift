import IPv4
import RouteNetlink
import Synchronization

/// The kernel's routing tables in memory: replace and delete by the kernel's keys (route by
/// destination and table, neighbour by address and link, FDB entry by MAC and link), links and
/// addresses as tests set them up. Records every batch applied. Where it differs from the real
/// kernel: no validation of gateways or links, and `route(to:)` answers from a table.
final class FakeRoutingNetlink: RoutingNetlink {
    struct Tables {
        var links: [Link] = []
        var addresses: [InterfaceAddress] = []
        var reach: [IPv4Address: Route] = [:]
        var routes: [Route] = []
        var neighbours: [Neighbour] = []
        var fdb: [FDBEntry] = []
        var batches: [[RoutingChange]] = []
        var created: [VXLANLinkSpec] = []
    }

    let tables: Mutex<Tables>

    init(_ tables: Tables = Tables()) { self.tables = Mutex(tables) }

    func link(named name: String) -> Link? { tables.withLock { $0.links.first { $0.name == name } } }
    func link(index: Int32) -> Link? { tables.withLock { $0.links.first { $0.index == index } } }
    func addresses() -> [InterfaceAddress] { tables.withLock { $0.addresses } }

    func route(to destination: IPv4Address) throws(RouteNetlinkError) -> Route {
        guard let route = tables.withLock({ $0.reach[destination] }) else {
            throw .refused(operation: "find the route to \(destination)", errno: 101, message: nil, otherFailures: 0)
        }
        return route
    }

    func createVXLAN(_ spec: VXLANLinkSpec) {
        tables.withLock { t in
            t.created.append(spec)
            let index = (t.links.map(\.index).max() ?? 0) + 1
            t.links.append(Link(index: index, name: spec.name, mtu: spec.mtu, isUp: false, address: spec.address, kind: "vxlan", vxlan: spec.attributes))
        }
    }

    func deleteLink(_ link: Link) { tables.withLock { $0.links.removeAll { $0.index == link.index } } }

    func setUp(linkIndex: Int32, mtu: UInt32?) {
        tables.withLock { t in
            guard let i = t.links.firstIndex(where: { $0.index == linkIndex }) else { return }
            t.links[i].isUp = true
            if let mtu { t.links[i].mtu = mtu }
        }
    }

    func replaceAddress(_ address: IPv4Network, linkIndex: Int32) {
        tables.withLock { $0.addresses.append(InterfaceAddress(network: address, linkIndex: linkIndex)) }
    }

    func deleteAddress(_ address: IPv4Network, linkIndex: Int32) {
        tables.withLock { $0.addresses.removeAll { $0 == InterfaceAddress(network: address, linkIndex: linkIndex) } }
    }

    func routes(table: UInt32) -> [Route] { tables.withLock { $0.routes.filter { $0.table == table } } }
    func neighbours(linkIndex: Int32) -> [Neighbour] { tables.withLock { $0.neighbours.filter { $0.linkIndex == linkIndex } } }
    func fdbEntries(linkIndex: Int32) -> [FDBEntry] { tables.withLock { $0.fdb.filter { $0.linkIndex == linkIndex } } }

    func apply(_ changes: [RoutingChange]) {
        tables.withLock { t in
            t.batches.append(changes)
            for change in changes {
                switch change {
                case .replaceRoute(let r):
                    t.routes.removeAll { $0.destination == r.destination && $0.table == r.table }
                    t.routes.append(r)
                case .deleteRoute(let r): t.routes.removeAll { $0.destination == r.destination && $0.table == r.table }
                case .replaceNeighbour(let n):
                    t.neighbours.removeAll { $0.address == n.address && $0.linkIndex == n.linkIndex }
                    t.neighbours.append(n)
                case .deleteNeighbour(let n): t.neighbours.removeAll { $0.address == n.address && $0.linkIndex == n.linkIndex }
                case .replaceFDB(let e):
                    t.fdb.removeAll { $0.mac == e.mac && $0.linkIndex == e.linkIndex }
                    t.fdb.append(e)
                case .deleteFDB(let e): t.fdb.removeAll { $0.mac == e.mac && $0.linkIndex == e.linkIndex }
                }
            }
        }
    }
}
