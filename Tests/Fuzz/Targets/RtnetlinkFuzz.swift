import RouteNetlink

/// A netlink datagram as the flannel backends read rtnetlink answers: links (vxlan attributes),
/// addresses, routes, neighbours, FDB entries, the end of a dump, errors with extended acks.
enum RtnetlinkFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        for (_, answer) in RtnetlinkAnswer.parse(bytes) {
            _ = answer.hashValue
        }
    }
}
