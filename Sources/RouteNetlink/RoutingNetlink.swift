import IPv4

/// The routing operations the flannel backends need. `Rtnetlink` is the kernel's; tests of
/// the code that decides what to program use a recording fake.
public protocol RoutingNetlink: Sendable {
    func link(named name: String) throws(RouteNetlinkError) -> Link?
    func link(index: Int32) throws(RouteNetlinkError) -> Link?
    /// Every IPv4 address of every link, with its prefix length.
    func addresses() throws(RouteNetlinkError) -> [InterfaceAddress]
    /// The route the kernel would use for `destination` (`ip route get`): its interface and,
    /// when the destination is not on a connected network, its gateway.
    func route(to destination: IPv4Address) throws(RouteNetlinkError) -> Route
    func createVXLAN(_ spec: VXLANLinkSpec) throws(RouteNetlinkError)
    func deleteLink(_ link: Link) throws(RouteNetlinkError)
    /// Brings the link up and, when given, sets its MTU.
    func setUp(linkIndex: Int32, mtu: UInt32?) throws(RouteNetlinkError)
    func replaceAddress(_ address: IPv4Network, linkIndex: Int32) throws(RouteNetlinkError)
    func deleteAddress(_ address: IPv4Network, linkIndex: Int32) throws(RouteNetlinkError)
    /// The IPv4 unicast routes of `table`.
    func routes(table: UInt32) throws(RouteNetlinkError) -> [Route]
    /// The IPv4 neighbour entries of a link.
    func neighbours(linkIndex: Int32) throws(RouteNetlinkError) -> [Neighbour]
    /// The `self` FDB entries of a (vxlan) link.
    func fdbEntries(linkIndex: Int32) throws(RouteNetlinkError) -> [FDBEntry]
    /// Applies `changes` in order, many to one datagram; every one is tried.
    /// - Throws: `RouteNetlinkError.refused` naming the first change the kernel refused (the
    ///   others were applied).
    func apply(_ changes: [RoutingChange]) throws(RouteNetlinkError)
}

extension RoutingNetlink {
    /// The IPv4 addresses of a link, with their prefix lengths.
    public func addresses(linkIndex: Int32) throws(RouteNetlinkError) -> [IPv4Network] {
        try addresses().filter { $0.linkIndex == linkIndex }.map(\.network)
    }
}
