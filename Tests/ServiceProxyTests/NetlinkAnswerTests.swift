import Testing

@testable import ServiceProxy

@Suite("reading netlink answers")
struct NetlinkAnswerTests {
    /// Two NLMSG_ERROR messages in one datagram, as the kernel sends them with NETLINK_CAP_ACK
    /// and NETLINK_EXT_ACK (x86-64, little endian).
    private let datagram: [UInt8] = [
        // An acknowledgement of sequence 7.
        36, 0, 0, 0,  // nlmsg_len 36: header 16 + error 4 + original header 16
        2, 0,  // nlmsg_type NLMSG_ERROR
        0, 1,  // nlmsg_flags NLM_F_CAPPED (0x100)
        7, 0, 0, 0,  // nlmsg_seq
        0, 0, 0, 0,  // nlmsg_pid (the kernel)
        0, 0, 0, 0,  // error 0: success
        16, 0, 0, 0, 6, 10, 5, 4, 7, 0, 0, 0, 0, 0, 0, 0,  // original header: NEWRULE, seq 7
        // ENOENT for sequence 8, with the kernel's explanation.
        56, 0, 0, 0,  // nlmsg_len 56: 36 + attribute 20
        2, 0,  // nlmsg_type NLMSG_ERROR
        0, 3,  // nlmsg_flags NLM_F_CAPPED | NLM_F_ACK_TLVS (0x300)
        8, 0, 0, 0,  // nlmsg_seq
        0, 0, 0, 0,  // nlmsg_pid
        254, 255, 255, 255,  // error -2: ENOENT
        16, 0, 0, 0, 6, 10, 5, 4, 8, 0, 0, 0, 0, 0, 0, 0,  // original header: NEWRULE, seq 8
        18, 0,  // attribute length 18 (4 + 14), padded to 20
        1, 0,  // NLMSGERR_ATTR_MSG
        0x6e, 0x6f, 0x20, 0x73, 0x75, 0x63, 0x68, 0x20, 0x63, 0x68, 0x61, 0x69, 0x6e, 0,  // "no such chain\0"
        0, 0,  // padding
    ]

    @Test("an acknowledgement and an error with its extended-ack text are told apart by sequence number")
    func parsesAcknowledgementsAndErrors() {
        let answers = datagram.withUnsafeBytes { NetlinkRulesetWriter.parseAnswers($0) }
        #expect(answers.map(\.sequence) == [7, 8])
        #expect(answers.map(\.errno) == [0, 2])
        #expect(answers.map(\.message) == [nil, "no such chain"])
    }

    @Test("a refusal names the operation and says nothing was applied")
    func describesRefusal() {
        let error = NetfilterError.rejected(
            object: "add rule to chain services: jump x (table ip clc-proxy)", errno: 2, message: "no such chain",
            otherFailures: 1)
        #expect(
            error.description
                == "nftables refused add rule to chain services: jump x (table ip clc-proxy): No such file or directory (errno 2) (no such chain); 1 later operation(s) failed too; nothing was applied"
        )
    }
}
