import Testing

@testable import ServiceProxy

/// ctnetlink messages byte for byte (x86-64, little endian; the values ctnetlink defines as
/// big endian are so on every machine).
@Suite("ctnetlink messages")
struct ConntrackMessageTests {
    /// udp src=192.168.77.2 dst=10.254.0.2 sport=40001 dport=53, DNATed to 10.244.1.9:53, zone 7.
    private let entry = ConntrackEntry(
        protocolNumber: 17,
        original: .init(
            source: Fixtures.ip("192.168.77.2"), destination: Fixtures.ip("10.254.0.2"), sourcePort: 40001, destinationPort: 53),
        reply: .init(
            source: Fixtures.ip("10.244.1.9"), destination: Fixtures.ip("192.168.77.2"), sourcePort: 53, destinationPort: 40001),
        zone: 7, id: 0x0102_0304)

    @Test("a deletion names the entry by its original tuple, zone and id, in network byte order")
    func deleteRequest() {
        let expected: [UInt8] = [
            88, 0, 0, 0,  // nlmsg_len 88
            2, 1,  // nlmsg_type: NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE
            5, 0,  // nlmsg_flags: NLM_F_REQUEST | NLM_F_ACK
            42, 0, 0, 0,  // nlmsg_seq
            0, 0, 0, 0,  // nlmsg_pid
            2, 0, 0, 0,  // nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
            52, 0, 1, 0x80,  // CTA_TUPLE_ORIG, nested
            20, 0, 1, 0x80,  //   CTA_TUPLE_IP, nested
            8, 0, 1, 0, 192, 168, 77, 2,  //     CTA_IP_V4_SRC
            8, 0, 2, 0, 10, 254, 0, 2,  //     CTA_IP_V4_DST
            28, 0, 2, 0x80,  //   CTA_TUPLE_PROTO, nested
            5, 0, 1, 0, 17, 0, 0, 0,  //     CTA_PROTO_NUM udp, padded
            6, 0, 2, 0, 0x9c, 0x41, 0, 0,  //     CTA_PROTO_SRC_PORT 40001, padded
            6, 0, 3, 0, 0, 53, 0, 0,  //     CTA_PROTO_DST_PORT 53, padded
            6, 0, 18, 0, 0, 7, 0, 0,  // CTA_ZONE 7, padded
            8, 0, 12, 0, 1, 2, 3, 4,  // CTA_ID
        ]
        #expect(ConntrackMessage.deleteRequest(for: entry, sequence: 42) == expected)
    }

    @Test("a dump asks for every IPv4 entry")
    func dumpRequest() {
        let expected: [UInt8] = [
            20, 0, 0, 0,  // nlmsg_len 20: header and nfgenmsg, no attributes
            1, 1,  // nlmsg_type: NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET
            1, 3,  // nlmsg_flags: NLM_F_REQUEST | NLM_F_DUMP (0x300)
            9, 0, 0, 0,  // nlmsg_seq
            0, 0, 0, 0,  // nlmsg_pid
            2, 0, 0, 0,  // nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
        ]
        #expect(ConntrackMessage.dumpRequest(sequence: 9) == expected)
    }

    /// One dumped entry and the end of the dump, in one datagram as the kernel sends them.
    private let dumpDatagram: [UInt8] = [
        148, 0, 0, 0,  // nlmsg_len 148
        0, 1,  // nlmsg_type: NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW
        2, 0,  // nlmsg_flags: NLM_F_MULTI
        42, 0, 0, 0,  // nlmsg_seq
        0, 0, 0, 0,  // nlmsg_pid
        2, 0, 0, 0,  // nfgenmsg: AF_INET
        52, 0, 1, 0x80,  // CTA_TUPLE_ORIG
        20, 0, 1, 0x80,  //   CTA_TUPLE_IP
        8, 0, 1, 0, 192, 168, 77, 2,  //     CTA_IP_V4_SRC
        8, 0, 2, 0, 10, 254, 0, 2,  //     CTA_IP_V4_DST
        28, 0, 2, 0x80,  //   CTA_TUPLE_PROTO
        5, 0, 1, 0, 17, 0, 0, 0,  //     CTA_PROTO_NUM udp
        6, 0, 2, 0, 0x9c, 0x41, 0, 0,  //     CTA_PROTO_SRC_PORT 40001
        6, 0, 3, 0, 0, 53, 0, 0,  //     CTA_PROTO_DST_PORT 53
        52, 0, 2, 0x80,  // CTA_TUPLE_REPLY
        20, 0, 1, 0x80,  //   CTA_TUPLE_IP
        8, 0, 1, 0, 10, 244, 1, 9,  //     CTA_IP_V4_SRC: the endpoint
        8, 0, 2, 0, 192, 168, 77, 2,  //     CTA_IP_V4_DST
        28, 0, 2, 0x80,  //   CTA_TUPLE_PROTO
        5, 0, 1, 0, 17, 0, 0, 0,  //     CTA_PROTO_NUM udp
        6, 0, 2, 0, 0, 53, 0, 0,  //     CTA_PROTO_SRC_PORT 53
        6, 0, 3, 0, 0x9c, 0x41, 0, 0,  //     CTA_PROTO_DST_PORT 40001
        8, 0, 3, 0, 0, 0, 1, 0x88,  // CTA_STATUS (not read)
        6, 0, 18, 0, 0, 7, 0, 0,  // CTA_ZONE 7
        8, 0, 12, 0, 1, 2, 3, 4,  // CTA_ID
        20, 0, 0, 0,  // nlmsg_len 20
        3, 0,  // nlmsg_type NLMSG_DONE
        2, 0,  // nlmsg_flags: NLM_F_MULTI
        42, 0, 0, 0,  // nlmsg_seq
        0, 0, 0, 0,  // nlmsg_pid
        0, 0, 0, 0,  // error 0: complete
    ]

    @Test("a dumped entry is read from its nested tuples, skipping attributes it does not need, and the dump ends")
    func parsesDump() {
        let answers = dumpDatagram.withUnsafeBytes { ConntrackMessage.parse($0) }
        #expect(answers.map(\.sequence) == [42, 42])
        #expect(answers.map(\.answer) == [.entry(entry), .done(errno: 0)])
        #expect(
            entry.description
                == "udp src=192.168.77.2 dst=10.254.0.2 sport=40001 dport=53 src=10.244.1.9 dst=192.168.77.2 sport=53 dport=40001 zone=7"
        )
    }

    @Test("a refusal of the dump arrives as an error with its errno")
    func parsesRefusal() {
        let datagram: [UInt8] = [
            36, 0, 0, 0,  // nlmsg_len 36
            2, 0,  // nlmsg_type NLMSG_ERROR
            0, 1,  // nlmsg_flags: NLM_F_CAPPED
            42, 0, 0, 0,  // nlmsg_seq
            0, 0, 0, 0,  // nlmsg_pid
            255, 255, 255, 255,  // error -1: EPERM
            20, 0, 0, 0, 1, 1, 1, 3, 42, 0, 0, 0, 0, 0, 0, 0,  // the request's header
        ]
        let answers = datagram.withUnsafeBytes { ConntrackMessage.parse($0) }
        #expect(answers.map(\.answer) == [.error(errno: 1)])
    }

    @Test("a refused deletion names the entry, how many more failed and how many were deleted")
    func describesRefusedDeletion() {
        let error = NetfilterError.conntrackDeleteFailed(entry: "\(entry)", errno: 1, otherFailures: 2, deleted: 5)
        #expect(
            error.description
                == "conntrack refused to delete udp src=192.168.77.2 dst=10.254.0.2 sport=40001 dport=53 src=10.244.1.9 dst=192.168.77.2 sport=53 dport=40001 zone=7: Operation not permitted (errno 1); 2 more deletion(s) failed too; 5 entries were deleted"
        )
    }
}
