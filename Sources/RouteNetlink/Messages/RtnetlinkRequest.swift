import CMnl

#if canImport(Glibc)
import Glibc
import IPv4
#endif

/// The rtnetlink requests the backends send, built with libmnl: each is `nlmsghdr` + the
/// family's fixed header (`ifinfomsg`, `ifaddrmsg`, `rtmsg`, `ndmsg`) + attributes, exactly as
/// `ip` and `bridge` build them. Pure: the sequence number is a parameter, so tests compare
/// golden bytes.
public struct RtnetlinkRequest: Sendable, Hashable {
    /// The message with its header.
    public var bytes: [UInt8]
    /// What it does, for errors: "replace route 10.1.20.0/24 via ...".
    public var operation: String
    /// A dump answers with many messages and NLMSG_DONE; any other request with one ack.
    public var isDump: Bool

    /// The sequence number the request carries (nlmsg_seq), which its answers repeat.
    public var sequence: UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
    }

    /// Room for the largest request built here (a vxlan device: about 120 bytes).
    static let limit = 512

    // MARK: - Links

    /// RTM_GETLINK for the interface called `name`.
    public static func getLink(named name: String, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_GETLINK, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "look up link \(name)") { m in
            putLinkHeader(m, index: 0)
            mnl_attr_put_strz(m, UInt16(IFLA_IFNAME), name)
        }
    }

    /// RTM_GETLINK for the interface with index `index`.
    public static func getLink(index: Int32, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_GETLINK, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "look up link #\(index)") { m in
            putLinkHeader(m, index: index)
        }
    }

    /// RTM_NEWLINK creating a vxlan device (`ip link add NAME mtu M address MAC type vxlan id
    /// VNI local IP dev UNDERLAY dstport PORT nolearning`); fails with EEXIST when the name is taken.
    public static func createVXLAN(_ spec: VXLANLinkSpec, sequence: UInt32) -> RtnetlinkRequest {
        let flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
        return build(RTM_NEWLINK, flags: flags, sequence: sequence, operation: "create vxlan device \(spec.name)") { m in
            putLinkHeader(m, index: 0)
            mnl_attr_put_strz(m, UInt16(IFLA_IFNAME), spec.name)
            mnl_attr_put_u32(m, UInt16(IFLA_MTU), spec.mtu)
            if let address = spec.address { putBytes(m, UInt16(IFLA_ADDRESS), address.bytes) }
            let info = mnl_attr_nest_start(m, UInt16(IFLA_LINKINFO))
            mnl_attr_put_strz(m, UInt16(IFLA_INFO_KIND), "vxlan")
            let data = mnl_attr_nest_start(m, UInt16(IFLA_INFO_DATA))
            let vxlan = spec.attributes
            mnl_attr_put_u32(m, UInt16(IFLA_VXLAN_ID), vxlan.id)
            if let local = vxlan.local { putBytes(m, UInt16(IFLA_VXLAN_LOCAL), local.networkBytes) }
            if let underlay = vxlan.underlayIndex { mnl_attr_put_u32(m, UInt16(IFLA_VXLAN_LINK), UInt32(bitPattern: underlay)) }
            mnl_attr_put_u16(m, UInt16(IFLA_VXLAN_PORT), vxlan.port.bigEndian)
            mnl_attr_put_u8(m, UInt16(IFLA_VXLAN_LEARNING), vxlan.learning ? 1 : 0)
            mnl_attr_nest_end(m, data)
            mnl_attr_nest_end(m, info)
        }
    }

    /// RTM_DELLINK for the interface with index `index`.
    public static func deleteLink(index: Int32, name: String, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_DELLINK, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "delete link \(name)") { m in
            putLinkHeader(m, index: index)
        }
    }

    /// RTM_NEWLINK bringing the interface up (`ip link set up`) and, when given, setting its MTU.
    public static func setLinkUp(index: Int32, mtu: UInt32?, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_NEWLINK, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "set link #\(index) up") { m in
            putLinkHeader(m, index: index, flags: UInt32(interfaceUp), change: UInt32(interfaceUp))
            if let mtu { mnl_attr_put_u32(m, UInt16(IFLA_MTU), mtu) }
        }
    }

    // MARK: - Addresses

    /// RTM_GETADDR dump of every IPv4 address.
    public static func dumpAddresses(sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_GETADDR, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence: sequence, operation: "list IPv4 addresses", isDump: true) { m in
            putAddressHeader(m, prefixLength: 0, index: 0)
        }
    }

    /// RTM_NEWADDR (`ip addr replace ADDRESS/LEN dev LINK`).
    public static func replaceAddress(_ address: IPv4Network, linkIndex: Int32, sequence: UInt32) -> RtnetlinkRequest {
        let flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE
        return build(RTM_NEWADDR, flags: flags, sequence: sequence, operation: "add address \(address) to link #\(linkIndex)") { m in
            putAddressHeader(m, prefixLength: address.prefixLength, index: linkIndex)
            putBytes(m, UInt16(IFA_LOCAL), address.address.networkBytes)
            putBytes(m, UInt16(IFA_ADDRESS), address.address.networkBytes)
        }
    }

    /// RTM_DELADDR (`ip addr del ADDRESS/LEN dev LINK`).
    public static func deleteAddress(_ address: IPv4Network, linkIndex: Int32, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_DELADDR, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "delete address \(address) from link #\(linkIndex)") { m in
            putAddressHeader(m, prefixLength: address.prefixLength, index: linkIndex)
            putBytes(m, UInt16(IFA_LOCAL), address.address.networkBytes)
        }
    }

    // MARK: - Routes

    /// RTM_GETROUTE for one destination (`ip route get ADDRESS`): the kernel answers with the
    /// route it would use, its output interface included.
    public static func getRoute(to destination: IPv4Address, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_GETROUTE, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "find the route to \(destination)") { m in
            putRouteHeader(m, destinationLength: 32, table: 0, protocolNumber: 0, scope: 0, type: 0, flags: 0)
            putBytes(m, UInt16(RTA_DST.rawValue), destination.networkBytes)
        }
    }

    /// RTM_GETROUTE dump of every IPv4 route of every table.
    public static func dumpRoutes(sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_GETROUTE, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence: sequence, operation: "list IPv4 routes", isDump: true) { m in
            putRouteHeader(m, destinationLength: 0, table: 0, protocolNumber: 0, scope: 0, type: 0, flags: 0)
        }
    }

    /// RTM_NEWROUTE with create and replace (`ip route replace DST via GW dev LINK [onlink]
    /// proto P`).
    public static func replaceRoute(_ route: Route, sequence: UInt32) -> RtnetlinkRequest {
        let flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE
        return build(RTM_NEWROUTE, flags: flags, sequence: sequence, operation: "replace route \(route)") { m in
            putRoute(m, route, scope: UInt8(RT_SCOPE_UNIVERSE.rawValue))
        }
    }

    /// RTM_DELROUTE naming the route by destination, table, gateway and link.
    public static func deleteRoute(_ route: Route, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_DELROUTE, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "delete route \(route)") { m in
            // RT_SCOPE_NOWHERE: any scope matches, as `ip route del` asks.
            putRoute(m, route, scope: UInt8(RT_SCOPE_NOWHERE.rawValue))
        }
    }

    // MARK: - Neighbours and FDB

    /// RTM_GETNEIGH dump of the `family` table: AF_INET for neighbours, AF_BRIDGE for FDBs.
    public static func dumpNeighbours(family: Int32, sequence: UInt32) -> RtnetlinkRequest {
        let what = family == AF_BRIDGE ? "list bridge FDB entries" : "list IPv4 neighbours"
        return build(RTM_GETNEIGH, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence: sequence, operation: what, isDump: true) { m in
            putNeighbourHeader(m, family: family, index: 0, state: 0, flags: 0)
        }
    }

    /// RTM_NEWNEIGH (`ip neigh replace IP lladdr MAC dev LINK nud permanent`).
    public static func replaceNeighbour(_ neighbour: Neighbour, sequence: UInt32) -> RtnetlinkRequest {
        let flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE
        return build(RTM_NEWNEIGH, flags: flags, sequence: sequence, operation: "replace neighbour \(neighbour)") { m in
            putNeighbourHeader(m, family: AF_INET, index: neighbour.linkIndex, state: neighbour.state, flags: 0)
            putBytes(m, UInt16(NDA_DST), neighbour.address.networkBytes)
            if let mac = neighbour.mac { putBytes(m, UInt16(NDA_LLADDR), mac.bytes) }
        }
    }

    /// RTM_DELNEIGH (`ip neigh del IP dev LINK`).
    public static func deleteNeighbour(_ neighbour: Neighbour, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_DELNEIGH, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "delete neighbour \(neighbour)") { m in
            putNeighbourHeader(m, family: AF_INET, index: neighbour.linkIndex, state: 0, flags: 0)
            putBytes(m, UInt16(NDA_DST), neighbour.address.networkBytes)
        }
    }

    /// RTM_NEWNEIGH in AF_BRIDGE with NTF_SELF (`bridge fdb replace MAC dev LINK dst IP self
    /// permanent`): the vxlan device's own forwarding table, not a bridge's.
    public static func replaceFDB(_ entry: FDBEntry, sequence: UInt32) -> RtnetlinkRequest {
        let flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE
        return build(RTM_NEWNEIGH, flags: flags, sequence: sequence, operation: "replace FDB entry \(entry)") { m in
            putNeighbourHeader(m, family: AF_BRIDGE, index: entry.linkIndex, state: entry.state, flags: UInt8(NTF_SELF))
            putBytes(m, UInt16(NDA_LLADDR), entry.mac.bytes)
            if let destination = entry.destination { putBytes(m, UInt16(NDA_DST), destination.networkBytes) }
        }
    }

    /// RTM_DELNEIGH in AF_BRIDGE with NTF_SELF (`bridge fdb del MAC dev LINK dst IP self`).
    public static func deleteFDB(_ entry: FDBEntry, sequence: UInt32) -> RtnetlinkRequest {
        build(RTM_DELNEIGH, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence, operation: "delete FDB entry \(entry)") { m in
            putNeighbourHeader(m, family: AF_BRIDGE, index: entry.linkIndex, state: 0, flags: UInt8(NTF_SELF))
            putBytes(m, UInt16(NDA_LLADDR), entry.mac.bytes)
            if let destination = entry.destination { putBytes(m, UInt16(NDA_DST), destination.networkBytes) }
        }
    }

    // MARK: - Building

    /// IFF_UP (net/if.h, which clashes with linux/if.h).
    static let interfaceUp: Int32 = 1

    private static func build(
        _ type: Int, flags: Int32, sequence: UInt32, operation: String, isDump: Bool = false,
        _ body: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) -> RtnetlinkRequest {
        let bytes = withUnsafeTemporaryAllocation(byteCount: limit, alignment: 8) { buffer in
            // libmnl pads attributes without clearing the padding: zeroes, not stack garbage.
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let message = mnl_nlmsg_put_header(buffer.baseAddress)!
            message.pointee.nlmsg_type = UInt16(type)
            message.pointee.nlmsg_flags = UInt16(flags)
            message.pointee.nlmsg_seq = sequence
            body(message)
            return Array(UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(message.pointee.nlmsg_len)))
        }
        return RtnetlinkRequest(bytes: bytes, operation: operation, isDump: isDump)
    }

    private static func putBytes(_ m: UnsafeMutablePointer<nlmsghdr>, _ type: UInt16, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { mnl_attr_put(m, type, $0.count, $0.baseAddress) }
    }

    private static func putLinkHeader(_ m: UnsafeMutablePointer<nlmsghdr>, index: Int32, flags: UInt32 = 0, change: UInt32 = 0) {
        let header = mnl_nlmsg_put_extra_header(m, MemoryLayout<ifinfomsg>.size)!.assumingMemoryBound(to: ifinfomsg.self)
        header.pointee.ifi_family = UInt8(AF_UNSPEC)
        header.pointee.ifi_index = index
        header.pointee.ifi_flags = flags
        header.pointee.ifi_change = change
    }

    private static func putAddressHeader(_ m: UnsafeMutablePointer<nlmsghdr>, prefixLength: Int, index: Int32) {
        let header = mnl_nlmsg_put_extra_header(m, MemoryLayout<ifaddrmsg>.size)!.assumingMemoryBound(to: ifaddrmsg.self)
        header.pointee.ifa_family = UInt8(AF_INET)
        header.pointee.ifa_prefixlen = UInt8(prefixLength)
        header.pointee.ifa_scope = UInt8(RT_SCOPE_UNIVERSE.rawValue)
        header.pointee.ifa_index = UInt32(bitPattern: index)
    }

    private static func putRouteHeader(
        _ m: UnsafeMutablePointer<nlmsghdr>, destinationLength: Int, table: UInt8, protocolNumber: UInt8, scope: UInt8,
        type: UInt8, flags: UInt32
    ) {
        let header = mnl_nlmsg_put_extra_header(m, MemoryLayout<rtmsg>.size)!.assumingMemoryBound(to: rtmsg.self)
        header.pointee.rtm_family = UInt8(AF_INET)
        header.pointee.rtm_dst_len = UInt8(destinationLength)
        header.pointee.rtm_table = table
        header.pointee.rtm_protocol = protocolNumber
        header.pointee.rtm_scope = scope
        header.pointee.rtm_type = type
        header.pointee.rtm_flags = flags
    }

    private static func putRoute(_ m: UnsafeMutablePointer<nlmsghdr>, _ route: Route, scope: UInt8) {
        // The table goes in the header when it fits 8 bits (as ip does) and always in RTA_TABLE.
        putRouteHeader(
            m, destinationLength: route.destination.prefixLength, table: route.table < 256 ? UInt8(route.table) : 0,
            protocolNumber: route.protocolNumber, scope: scope, type: UInt8(RTN_UNICAST),
            flags: route.onLink ? UInt32(RTNH_F_ONLINK) : 0)
        putBytes(m, UInt16(RTA_DST.rawValue), route.destination.network.address.networkBytes)
        mnl_attr_put_u32(m, UInt16(RTA_TABLE.rawValue), route.table)
        if let gateway = route.gateway { putBytes(m, UInt16(RTA_GATEWAY.rawValue), gateway.networkBytes) }
        mnl_attr_put_u32(m, UInt16(RTA_OIF.rawValue), UInt32(bitPattern: route.linkIndex))
    }

    private static func putNeighbourHeader(
        _ m: UnsafeMutablePointer<nlmsghdr>, family: Int32, index: Int32, state: UInt16, flags: UInt8
    ) {
        let header = mnl_nlmsg_put_extra_header(m, MemoryLayout<ndmsg>.size)!.assumingMemoryBound(to: ndmsg.self)
        header.pointee.ndm_family = UInt8(family)
        header.pointee.ndm_ifindex = index
        header.pointee.ndm_state = state
        header.pointee.ndm_flags = flags
    }
}
