import CMnl

#if canImport(Glibc)
import Glibc
import IPv4
import MnlSocket
#endif

/// The kernel's rtnetlink answers, read in Swift (not libmnl callbacks) so that tests can feed
/// them bytes: one datagram holds one or more messages, each `nlmsghdr` + fixed header +
/// attributes, every one padded to 4 bytes.
public enum RtnetlinkAnswer: Sendable, Hashable {
    case link(Link)
    /// An IPv4 address on a link (RTM_NEWADDR).
    case address(IPv4Network, linkIndex: Int32)
    case route(Route)
    /// RTM_NEWNEIGH of family AF_INET.
    case neighbour(Neighbour)
    /// RTM_NEWNEIGH of family AF_BRIDGE.
    case fdb(FDBEntry)
    /// NLMSG_DONE: the dump is complete (`errno` 0) or ended early with that error.
    case done(errno: Int32)
    /// NLMSG_ERROR: an acknowledgement (`errno` 0) or a refusal (positive errno), with the
    /// extended ack's text when the kernel sent one.
    case error(errno: Int32, message: String?)
    /// A message of another type, or one this reader does not describe (an IPv6 route...).
    case other

    /// The messages of one datagram with their sequence numbers.
    public static func parse(_ datagram: UnsafeRawBufferPointer) -> [(sequence: UInt32, answer: RtnetlinkAnswer)] {
        NetlinkMessage.messages(in: datagram).map { message in
            (message.sequence, answer(message))
        }
    }

    static func answer(_ message: NetlinkMessage) -> RtnetlinkAnswer {
        let payload = message.payload
        switch Int32(message.type) {
        case NLMSG_ERROR:
            guard let code = message.errorCode else { return .other }
            return .error(errno: code, message: message.extendedAckMessage)
        case NLMSG_DONE:
            return .done(errno: message.errorCode ?? 0)
        case Int32(RTM_NEWLINK): return link(payload).map(RtnetlinkAnswer.link) ?? .other
        case Int32(RTM_NEWADDR): return address(payload) ?? .other
        case Int32(RTM_NEWROUTE): return route(payload).map(RtnetlinkAnswer.route) ?? .other
        case Int32(RTM_NEWNEIGH): return neighbour(payload) ?? .other
        default: return .other
        }
    }

    // MARK: - Links

    static func link(_ payload: UnsafeRawBufferPointer) -> Link? {
        let size = MemoryLayout<ifinfomsg>.size
        guard payload.count >= size else { return nil }
        let header = payload.loadUnaligned(as: ifinfomsg.self)
        let top = attributes(UnsafeRawBufferPointer(rebasing: payload[size...]))
        guard let name = top[UInt16(IFLA_IFNAME)].map(string) else { return nil }
        var link = Link(
            index: header.ifi_index, name: name, mtu: top[UInt16(IFLA_MTU)].flatMap(hostUInt32) ?? 0,
            // ifi_flags is unsigned: a flag in the top bit must not trap a conversion.
            isUp: Int32(bitPattern: header.ifi_flags) & RtnetlinkRequest.interfaceUp != 0,
            address: top[UInt16(IFLA_ADDRESS)].flatMap { MACAddress(bytes: Array($0)) })
        if let info = top[UInt16(IFLA_LINKINFO)].map(attributes) {
            link.kind = info[UInt16(IFLA_INFO_KIND)].map(string)
            if link.kind == "vxlan", let data = info[UInt16(IFLA_INFO_DATA)].map(attributes) {
                link.vxlan = VXLANAttributes(
                    id: data[UInt16(IFLA_VXLAN_ID)].flatMap(hostUInt32) ?? 0,
                    local: data[UInt16(IFLA_VXLAN_LOCAL)].flatMap { IPv4Address(networkBytes: $0) },
                    underlayIndex: data[UInt16(IFLA_VXLAN_LINK)].flatMap(hostUInt32).map { Int32(bitPattern: $0) },
                    port: data[UInt16(IFLA_VXLAN_PORT)].flatMap(bigEndianUInt16) ?? 0,
                    learning: data[UInt16(IFLA_VXLAN_LEARNING)].map { $0.first == 1 } ?? true)
            }
        }
        return link
    }

    // MARK: - Addresses

    static func address(_ payload: UnsafeRawBufferPointer) -> RtnetlinkAnswer? {
        let size = MemoryLayout<ifaddrmsg>.size
        guard payload.count >= size else { return nil }
        let header = payload.loadUnaligned(as: ifaddrmsg.self)
        guard header.ifa_family == UInt8(AF_INET) else { return nil }
        let top = attributes(UnsafeRawBufferPointer(rebasing: payload[size...]))
        guard let bytes = top[UInt16(IFA_LOCAL)] ?? top[UInt16(IFA_ADDRESS)], let address = IPv4Address(networkBytes: bytes),
            let network = IPv4Network(address, prefixLength: Int(header.ifa_prefixlen))
        else { return nil }
        return .address(network, linkIndex: Int32(bitPattern: header.ifa_index))
    }

    // MARK: - Routes

    /// A unicast IPv4 route with at most one next hop; nil for anything else.
    static func route(_ payload: UnsafeRawBufferPointer) -> Route? {
        let size = MemoryLayout<rtmsg>.size
        guard payload.count >= size else { return nil }
        let header = payload.loadUnaligned(as: rtmsg.self)
        guard header.rtm_family == UInt8(AF_INET), header.rtm_type == UInt8(RTN_UNICAST) else { return nil }
        let top = attributes(UnsafeRawBufferPointer(rebasing: payload[size...]))
        let destination = top[UInt16(RTA_DST.rawValue)].flatMap { IPv4Address(networkBytes: $0) } ?? IPv4Address(0)
        guard let network = IPv4Network(destination, prefixLength: Int(header.rtm_dst_len)) else { return nil }
        return Route(
            destination: network, gateway: top[UInt16(RTA_GATEWAY.rawValue)].flatMap { IPv4Address(networkBytes: $0) },
            linkIndex: top[UInt16(RTA_OIF.rawValue)].flatMap(hostUInt32).map { Int32(bitPattern: $0) } ?? 0,
            onLink: header.rtm_flags & UInt32(RTNH_F_ONLINK) != 0, protocolNumber: header.rtm_protocol,
            table: top[UInt16(RTA_TABLE.rawValue)].flatMap(hostUInt32) ?? UInt32(header.rtm_table))
    }

    // MARK: - Neighbours

    static func neighbour(_ payload: UnsafeRawBufferPointer) -> RtnetlinkAnswer? {
        let size = MemoryLayout<ndmsg>.size
        guard payload.count >= size else { return nil }
        let header = payload.loadUnaligned(as: ndmsg.self)
        let top = attributes(UnsafeRawBufferPointer(rebasing: payload[size...]))
        let mac = top[UInt16(NDA_LLADDR)].flatMap { MACAddress(bytes: Array($0)) }
        let destination = top[UInt16(NDA_DST)].flatMap { IPv4Address(networkBytes: $0) }
        switch Int32(header.ndm_family) {
        case AF_INET:
            guard let destination else { return nil }
            return .neighbour(Neighbour(address: destination, mac: mac, linkIndex: header.ndm_ifindex, state: header.ndm_state))
        case AF_BRIDGE:
            guard let mac, header.ndm_flags & UInt8(NTF_SELF) != 0 else { return nil }
            return .fdb(FDBEntry(mac: mac, destination: destination, linkIndex: header.ndm_ifindex, state: header.ndm_state))
        default:
            return nil
        }
    }

    // MARK: - Attributes

    /// The attributes of one nesting level by type.
    static func attributes(_ bytes: UnsafeRawBufferPointer) -> [UInt16: UnsafeRawBufferPointer] {
        NetlinkMessage.attributes(bytes)
    }

    private static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func hostUInt32(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        bytes.count >= 4 ? bytes.loadUnaligned(as: UInt32.self) : nil
    }

    private static func bigEndianUInt16(_ bytes: UnsafeRawBufferPointer) -> UInt16? {
        bytes.count >= 2 ? UInt16(bigEndian: bytes.loadUnaligned(as: UInt16.self)) : nil
    }
}
