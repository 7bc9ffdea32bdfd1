import Testing

@testable import RouteNetlink

/// rtnetlink datagrams no kernel sends, which the flannel backends must read without trapping
/// (found by the fuzz target `rtnetlink`, Tests/Fuzz).
@Suite("rtnetlink answers no kernel sends")
struct HostileAnswerTests {
    @Test("a link whose flags use the top bit is read, up when IFF_UP is set")
    func linkFlagsTopBit() {
        let datagram: [UInt8] = [
            44, 0, 0, 0,  // nlmsg_len 44: header 16, ifinfomsg 16, attribute 12
            16, 0,  // RTM_NEWLINK
            2, 0,  // NLM_F_MULTI
            1, 0, 0, 0,  // nlmsg_seq
            0, 0, 0, 0,  // nlmsg_pid
            0, 0, 1, 0,  // ifi_family AF_UNSPEC, padding, ifi_type ARPHRD_ETHER
            9, 0, 0, 0,  // ifi_index 9
            1, 0, 0, 0x80,  // ifi_flags IFF_UP | 0x80000000
            0, 0, 0, 0,  // ifi_change
            9, 0, 3, 0, 0x65, 0x74, 0x68, 0x30, 0, 0, 0, 0,  // IFLA_IFNAME "eth0", padded
        ]
        let answers = datagram.withUnsafeBytes { RtnetlinkAnswer.parse($0) }
        guard case let .link(link)? = answers.first?.answer else {
            Issue.record("expected a link, got \(answers)")
            return
        }
        #expect(link.name == "eth0")
        #expect(link.index == 9)
        #expect(link.isUp)
    }

    @Test("an error or end of dump with the smallest 32-bit code is read as that code, not a trap")
    func smallestCode() {
        let datagram: [UInt8] = [
            20, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0,  // NLMSG_ERROR, seq 7
            0, 0, 0, 0x80,  // error Int32.min
            20, 0, 0, 0, 3, 0, 2, 0, 8, 0, 0, 0, 0, 0, 0, 0,  // NLMSG_DONE, seq 8
            0, 0, 0, 0x80,  // error Int32.min
        ]
        let answers = datagram.withUnsafeBytes { RtnetlinkAnswer.parse($0) }
        #expect(answers.map(\.answer) == [.error(errno: Int32.min, message: nil), .done(errno: Int32.min)])
    }
}
