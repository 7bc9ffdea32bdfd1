import Testing

@testable import ServiceProxy

/// Datagrams no kernel sends, which the service proxy must read without trapping (found by the
/// fuzz target `conntrack`, Tests/Fuzz).
@Suite("Netlink answers no kernel sends")
struct HostileNetlinkAnswerTests {
    /// An NLMSG_ERROR and an NLMSG_DONE whose error codes are the smallest 32-bit integer, which
    /// has no positive counterpart.
    private let smallestCodes: [UInt8] = [
        36, 0, 0, 0,  // nlmsg_len 36
        2, 0,  // nlmsg_type NLMSG_ERROR
        0, 1,  // nlmsg_flags NLM_F_CAPPED
        42, 0, 0, 0,  // nlmsg_seq
        0, 0, 0, 0,  // nlmsg_pid
        0, 0, 0, 0x80,  // error Int32.min
        20, 0, 0, 0, 1, 1, 1, 3, 42, 0, 0, 0, 0, 0, 0, 0,  // the request's header
        20, 0, 0, 0,  // nlmsg_len 20
        3, 0,  // nlmsg_type NLMSG_DONE
        2, 0,  // nlmsg_flags NLM_F_MULTI
        42, 0, 0, 0,  // nlmsg_seq
        0, 0, 0, 0,  // nlmsg_pid
        0, 0, 0, 0x80,  // error Int32.min
    ]

    @Test("a conntrack error or end of dump with the smallest 32-bit code is read as that code, not a trap")
    func conntrackSmallestCode() {
        let answers = smallestCodes.withUnsafeBytes { ConntrackMessage.parse($0) }
        #expect(answers.map(\.answer) == [.error(errno: Int32.min), .done(errno: Int32.min)])
    }

    @Test("an nftables acknowledgement with the smallest 32-bit code is read as that code, not a trap")
    func nftablesSmallestCode() {
        let answers = smallestCodes.withUnsafeBytes { NetlinkRulesetWriter.parseAnswers($0) }
        #expect(answers.map(\.errno) == [Int32.min])
        #expect(answers.map(\.sequence) == [42])
    }
}
