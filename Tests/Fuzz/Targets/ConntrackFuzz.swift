@testable import ServiceProxy

/// A netlink datagram as the service proxy reads it: as an answer to a conntrack dump (entries,
/// the end of the dump, errors) and as the acknowledgements of an nftables batch.
enum ConntrackFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        for (_, answer) in ConntrackMessage.parse(bytes) {
            if case let .entry(entry?) = answer { _ = entry.description }
        }
        _ = NetlinkRulesetWriter.parseAnswers(bytes)
    }
}
