import Testing

@testable import RouteNetlink
import IPv4

/// Golden bytes of the requests, as `ip` and `bridge` send them (compare `ip -d monitor` or
/// strace). x86-64 and arm64 are little-endian: lengths, types, flags and indexes below are in
/// host order, addresses and the vxlan port in network order.
@Suite("rtnetlink requests")
struct RequestBytesTests {
    static let mac = MACAddress("aa:bb:cc:dd:ee:01")!

    @Test("a vxlan route is RTM_NEWROUTE with create, replace, the onlink flag and our protocol")
    func replaceRoute() {
        let route = Route(
            destination: IPv4Network("10.1.20.0/24")!, gateway: IPv4Address("10.1.20.0"), linkIndex: 4, onLink: true)
        let request = RtnetlinkRequest.replaceRoute(route, sequence: 1)
        #expect(request.bytes == [
            0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
            0x18, 0x00,  // nlmsg_type RTM_NEWROUTE (24)
            0x05, 0x05,  // nlmsg_flags REQUEST | ACK | REPLACE (0x100) | CREATE (0x400)
            0x01, 0x00, 0x00, 0x00,  // nlmsg_seq 1
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid 0 (the kernel)
            0x02,  // rtm_family AF_INET
            0x18,  // rtm_dst_len 24
            0x00,  // rtm_src_len
            0x00,  // rtm_tos
            0xfe,  // rtm_table RT_TABLE_MAIN (254)
            0x97,  // rtm_protocol 151 (clc-node)
            0x00,  // rtm_scope RT_SCOPE_UNIVERSE
            0x01,  // rtm_type RTN_UNICAST
            0x04, 0x00, 0x00, 0x00,  // rtm_flags RTNH_F_ONLINK
            0x08, 0x00, 0x01, 0x00, 10, 1, 20, 0,  // RTA_DST 10.1.20.0
            0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,  // RTA_TABLE 254
            0x08, 0x00, 0x05, 0x00, 10, 1, 20, 0,  // RTA_GATEWAY 10.1.20.0
            0x08, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00,  // RTA_OIF 4
        ])
        #expect(request.sequence == 1)
        #expect(!request.isDump)
    }

    @Test("deleting a route names it with scope nowhere, so any scope matches")
    func deleteRoute() {
        let route = Route(destination: IPv4Network("10.1.20.0/24")!, gateway: IPv4Address("192.168.50.2"), linkIndex: 2)
        let bytes = RtnetlinkRequest.deleteRoute(route, sequence: 7).bytes
        #expect(Array(bytes[4..<8]) == [0x19, 0x00, 0x05, 0x00])  // RTM_DELROUTE (25), REQUEST | ACK
        #expect(Array(bytes[16..<28]) == [
            0x02, 0x18, 0x00, 0x00,  // AF_INET, /24, src_len, tos
            0xfe, 0x97, 0xff, 0x01,  // main table, protocol 151, RT_SCOPE_NOWHERE (255), unicast
            0x00, 0x00, 0x00, 0x00,  // no flags
        ])
    }

    @Test("a permanent neighbour is RTM_NEWNEIGH in AF_INET with the address and the MAC")
    func replaceNeighbour() {
        let neighbour = Neighbour(address: IPv4Address("10.1.20.0")!, mac: Self.mac, linkIndex: 4)
        #expect(RtnetlinkRequest.replaceNeighbour(neighbour, sequence: 2).bytes == [
            0x30, 0x00, 0x00, 0x00,  // nlmsg_len 48
            0x1c, 0x00,  // RTM_NEWNEIGH (28)
            0x05, 0x05,  // REQUEST | ACK | REPLACE | CREATE
            0x02, 0x00, 0x00, 0x00,  // seq 2
            0x00, 0x00, 0x00, 0x00,  // pid
            0x02,  // ndm_family AF_INET
            0x00, 0x00, 0x00,  // ndm_pad1, ndm_pad2
            0x04, 0x00, 0x00, 0x00,  // ndm_ifindex 4
            0x80, 0x00,  // ndm_state NUD_PERMANENT
            0x00,  // ndm_flags
            0x00,  // ndm_type
            0x08, 0x00, 0x01, 0x00, 10, 1, 20, 0,  // NDA_DST 10.1.20.0
            0x0a, 0x00, 0x02, 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01, 0x00, 0x00,  // NDA_LLADDR + 2 bytes padding
        ])
    }

    @Test("an FDB entry is RTM_NEWNEIGH in AF_BRIDGE with NTF_SELF, the MAC and the remote VTEP")
    func replaceFDB() {
        let entry = FDBEntry(mac: Self.mac, destination: IPv4Address("192.168.50.2"), linkIndex: 4)
        #expect(RtnetlinkRequest.replaceFDB(entry, sequence: 3).bytes == [
            0x30, 0x00, 0x00, 0x00,  // nlmsg_len 48
            0x1c, 0x00,  // RTM_NEWNEIGH
            0x05, 0x05,  // REQUEST | ACK | REPLACE | CREATE
            0x03, 0x00, 0x00, 0x00,  // seq 3
            0x00, 0x00, 0x00, 0x00,  // pid
            0x07,  // ndm_family AF_BRIDGE
            0x00, 0x00, 0x00,  // padding
            0x04, 0x00, 0x00, 0x00,  // ndm_ifindex 4
            0x80, 0x00,  // NUD_PERMANENT
            0x02,  // ndm_flags NTF_SELF: the vxlan device's own table
            0x00,  // ndm_type
            0x0a, 0x00, 0x02, 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01, 0x00, 0x00,  // NDA_LLADDR
            0x08, 0x00, 0x01, 0x00, 192, 168, 50, 2,  // NDA_DST 192.168.50.2
        ])
    }

    @Test("a vxlan device is RTM_NEWLINK with create, exclusive, and the vxlan attributes nested in the link info")
    func createVXLAN() {
        let spec = VXLANLinkSpec(
            name: "flannel.1",
            attributes: VXLANAttributes(
                id: 1, local: IPv4Address("192.168.50.1"), underlayIndex: 2, port: 8472, learning: false),
            mtu: 1450, address: Self.mac)
        #expect(RtnetlinkRequest.createVXLAN(spec, sequence: 4).bytes == [
            0x80, 0x00, 0x00, 0x00,  // nlmsg_len 128
            0x10, 0x00,  // RTM_NEWLINK (16)
            0x05, 0x06,  // REQUEST | ACK | EXCL (0x200) | CREATE (0x400)
            0x04, 0x00, 0x00, 0x00,  // seq 4
            0x00, 0x00, 0x00, 0x00,  // pid
            0x00, 0x00,  // ifi_family AF_UNSPEC, padding
            0x00, 0x00,  // ifi_type
            0x00, 0x00, 0x00, 0x00,  // ifi_index 0: a new link
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0e, 0x00, 0x03, 0x00, 0x66, 0x6c, 0x61, 0x6e, 0x6e, 0x65, 0x6c, 0x2e, 0x31, 0x00, 0x00, 0x00,  // IFLA_IFNAME "flannel.1"
            0x08, 0x00, 0x04, 0x00, 0xaa, 0x05, 0x00, 0x00,  // IFLA_MTU 1450
            0x0a, 0x00, 0x01, 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01, 0x00, 0x00,  // IFLA_ADDRESS
            0x3c, 0x00, 0x12, 0x80,  // IFLA_LINKINFO (18) | NLA_F_NESTED, 60 bytes
            0x0a, 0x00, 0x01, 0x00, 0x76, 0x78, 0x6c, 0x61, 0x6e, 0x00, 0x00, 0x00,  // IFLA_INFO_KIND "vxlan"
            0x2c, 0x00, 0x02, 0x80,  // IFLA_INFO_DATA | NLA_F_NESTED, 44 bytes
            0x08, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,  // IFLA_VXLAN_ID 1
            0x08, 0x00, 0x04, 0x00, 192, 168, 50, 1,  // IFLA_VXLAN_LOCAL 192.168.50.1
            0x08, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00,  // IFLA_VXLAN_LINK 2 (the underlay)
            0x06, 0x00, 0x0f, 0x00, 0x21, 0x18, 0x00, 0x00,  // IFLA_VXLAN_PORT 8472, network order
            0x05, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,  // IFLA_VXLAN_LEARNING 0 (nolearning)
        ])
    }

    @Test("the VTEP address is RTM_NEWADDR with create and replace, local and address both set")
    func replaceAddress() {
        #expect(RtnetlinkRequest.replaceAddress(IPv4Network("10.1.15.0/32")!, linkIndex: 9, sequence: 8).bytes == [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x14, 0x00,  // RTM_NEWADDR (20)
            0x05, 0x05,  // REQUEST | ACK | REPLACE | CREATE
            0x08, 0x00, 0x00, 0x00,  // seq 8
            0x00, 0x00, 0x00, 0x00,  // pid
            0x02,  // ifa_family AF_INET
            0x20,  // ifa_prefixlen 32
            0x00,  // ifa_flags
            0x00,  // ifa_scope RT_SCOPE_UNIVERSE
            0x09, 0x00, 0x00, 0x00,  // ifa_index 9
            0x08, 0x00, 0x02, 0x00, 10, 1, 15, 0,  // IFA_LOCAL 10.1.15.0
            0x08, 0x00, 0x01, 0x00, 10, 1, 15, 0,  // IFA_ADDRESS 10.1.15.0
        ])
    }

    @Test("setting a link up changes only IFF_UP, and the MTU when given")
    func setLinkUp() {
        #expect(RtnetlinkRequest.setLinkUp(index: 9, mtu: 1450, sequence: 9).bytes == [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x10, 0x00,  // RTM_NEWLINK
            0x05, 0x00,  // REQUEST | ACK: no create, the link must exist
            0x09, 0x00, 0x00, 0x00,  // seq 9
            0x00, 0x00, 0x00, 0x00,  // pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family AF_UNSPEC, padding, ifi_type
            0x09, 0x00, 0x00, 0x00,  // ifi_index 9
            0x01, 0x00, 0x00, 0x00,  // ifi_flags IFF_UP
            0x01, 0x00, 0x00, 0x00,  // ifi_change IFF_UP: no other flag is touched
            0x08, 0x00, 0x04, 0x00, 0xaa, 0x05, 0x00, 0x00,  // IFLA_MTU 1450
        ])
    }

    @Test("a link is looked up by its name in IFLA_IFNAME, index 0")
    func getLinkByName() {
        let bytes = RtnetlinkRequest.getLink(named: "eth0", sequence: 10).bytes
        #expect(Array(bytes[0..<8]) == [0x2c, 0x00, 0x00, 0x00, 0x12, 0x00, 0x05, 0x00])  // 44 bytes, RTM_GETLINK (18), REQUEST | ACK
        #expect(Array(bytes[32...]) == [0x09, 0x00, 0x03, 0x00, 0x65, 0x74, 0x68, 0x30, 0x00, 0x00, 0x00, 0x00])  // IFLA_IFNAME "eth0"
    }

    @Test("dumps carry NLM_F_DUMP and only the family's header")
    func dumps() {
        let routes = RtnetlinkRequest.dumpRoutes(sequence: 5)
        #expect(routes.isDump)
        #expect(Array(routes.bytes[0..<8]) == [0x1c, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x01, 0x03])  // 28 bytes, RTM_GETROUTE, REQUEST | DUMP
        let fdb = RtnetlinkRequest.dumpNeighbours(family: 7, sequence: 6)
        #expect(Array(fdb.bytes[0..<8]) == [0x1c, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x01, 0x03])  // RTM_GETNEIGH (30)
        #expect(fdb.bytes[16] == 7)  // AF_BRIDGE
    }

    @Test("an answer's route, error and extended-ack text are read back")
    func answers() {
        // The request bytes of a route are also a valid RTM_NEWROUTE answer once the type is
        // the kernel's; the flags do not matter to the reader.
        let route = Route(destination: IPv4Network("10.1.20.0/24")!, gateway: IPv4Address("10.1.20.0"), linkIndex: 4, onLink: true)
        var bytes = RtnetlinkRequest.replaceRoute(route, sequence: 9).bytes
        // An error answer: nlmsghdr, errno -17 (EEXIST), the original header (capped), then
        // NLMSGERR_ATTR_MSG "exists".
        let error: [UInt8] = [
            0x30, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03,  // 48 bytes, NLMSG_ERROR, flags CAPPED (0x100) | ACK_TLVS (0x200)
            0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq 10, pid
            0xef, 0xff, 0xff, 0xff,  // error -17
            0x10, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x05, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // original header
            0x0b, 0x00, 0x01, 0x00, 0x65, 0x78, 0x69, 0x73, 0x74, 0x73, 0x00, 0x00,  // NLMSGERR_ATTR_MSG "exists"
        ]
        bytes += error
        let answers = bytes.withUnsafeBytes { RtnetlinkAnswer.parse($0) }
        #expect(answers.count == 2)
        #expect(answers[0].sequence == 9)
        #expect(answers[0].answer == .route(route))
        #expect(answers[1].sequence == 10)
        #expect(answers[1].answer == .error(errno: 17, message: "exists"))
    }
}
