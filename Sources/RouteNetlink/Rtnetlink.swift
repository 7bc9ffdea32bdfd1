import CMnl
import Synchronization

#if canImport(Glibc)
import Glibc
import IPv4
#endif

// Hand-rolled over libmnl because no Swift library speaks rtnetlink, and the backends must not
// start an `ip` process per route (250 leases would take seconds).

/// rtnetlink over one libmnl socket: lookups, dumps, and batches of changes with one ack each.
///
/// The calls block for one exchange with the kernel (microseconds to a few milliseconds); run
/// them from a thread of their own or a bounded executor, not in a loop on the cooperative pool.
public final class Rtnetlink: RoutingNetlink {
    private struct State {
        var socket: RtnetlinkSocket
        var sequence: UInt32

        mutating func next() -> UInt32 {
            defer { sequence &+= 1 }
            return sequence
        }
    }

    /// Requests sent in one datagram before their acks are read.
    static let requestsPerDatagram = 256

    // Mutex: one exchange at a time on the socket; the socket never leaves the lock.
    private let state: Mutex<State>
    private let networkNamespace: String?

    /// - Parameter networkNamespace: the path of a network namespace (`/var/run/netns/NAME`) to
    ///   work in instead of the caller's; the socket is opened there, the calling thread stays.
    /// - Throws: `RouteNetlinkError.system` when the socket cannot be opened or bound.
    public init(networkNamespace: String? = nil) throws(RouteNetlinkError) {
        let socket = try RtnetlinkSocket(networkNamespace: networkNamespace)
        state = Mutex(State(socket: socket, sequence: UInt32(truncatingIfNeeded: time(nil))))
        self.networkNamespace = networkNamespace
    }

    public func link(named name: String) throws(RouteNetlinkError) -> Link? {
        try lookup { .getLink(named: name, sequence: $0) }.lazy.compactMap { if case .link(let l) = $0 { l } else { nil } }.first
    }

    public func link(index: Int32) throws(RouteNetlinkError) -> Link? {
        try lookup { .getLink(index: index, sequence: $0) }.lazy.compactMap { if case .link(let l) = $0 { l } else { nil } }.first
    }

    public func addresses() throws(RouteNetlinkError) -> [InterfaceAddress] {
        try exchange { .dumpAddresses(sequence: $0) }.compactMap {
            if case let .address(network, index) = $0 { InterfaceAddress(network: network, linkIndex: index) } else { nil }
        }
    }

    public func route(to destination: IPv4Address) throws(RouteNetlinkError) -> Route {
        let answers = try exchange { .getRoute(to: destination, sequence: $0) }
        for case .route(let route) in answers { return route }
        throw .malformedAnswer(operation: "find the route to \(destination)")
    }

    public func createVXLAN(_ spec: VXLANLinkSpec) throws(RouteNetlinkError) {
        _ = try exchange { .createVXLAN(spec, sequence: $0) }
    }

    public func deleteLink(_ link: Link) throws(RouteNetlinkError) {
        _ = try exchange { .deleteLink(index: link.index, name: link.name, sequence: $0) }
    }

    public func setUp(linkIndex: Int32, mtu: UInt32?) throws(RouteNetlinkError) {
        _ = try exchange { .setLinkUp(index: linkIndex, mtu: mtu, sequence: $0) }
    }

    public func replaceAddress(_ address: IPv4Network, linkIndex: Int32) throws(RouteNetlinkError) {
        _ = try exchange { .replaceAddress(address, linkIndex: linkIndex, sequence: $0) }
    }

    public func deleteAddress(_ address: IPv4Network, linkIndex: Int32) throws(RouteNetlinkError) {
        _ = try exchange { .deleteAddress(address, linkIndex: linkIndex, sequence: $0) }
    }

    public func routes(table: UInt32 = Route.mainTable) throws(RouteNetlinkError) -> [Route] {
        try exchange { .dumpRoutes(sequence: $0) }.compactMap {
            if case .route(let route) = $0, route.table == table { route } else { nil }
        }
    }

    public func neighbours(linkIndex: Int32) throws(RouteNetlinkError) -> [Neighbour] {
        try exchange { .dumpNeighbours(family: AF_INET, sequence: $0) }.compactMap {
            if case .neighbour(let neighbour) = $0, neighbour.linkIndex == linkIndex { neighbour } else { nil }
        }
    }

    public func fdbEntries(linkIndex: Int32) throws(RouteNetlinkError) -> [FDBEntry] {
        try exchange { .dumpNeighbours(family: AF_BRIDGE, sequence: $0) }.compactMap {
            if case .fdb(let entry) = $0, entry.linkIndex == linkIndex { entry } else { nil }
        }
    }

    public func apply(_ changes: [RoutingChange]) throws(RouteNetlinkError) {
        guard !changes.isEmpty else { return }
        try state.withLock { (state: inout State) throws(RouteNetlinkError) in
            try Self.recovering(&state, namespace: networkNamespace) { (state: inout State) throws(RouteNetlinkError) in
                var failures: [(operation: String, errno: Int32, message: String?)] = []
                state.socket.reserve(send: Self.requestsPerDatagram * RtnetlinkRequest.limit, receive: 1 << 20)
                var start = 0
                while start < changes.count {
                    let chunk = changes[start..<min(start + Self.requestsPerDatagram, changes.count)]
                    start += chunk.count
                    var pending: [UInt32: String] = [:]
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(chunk.count * 64)
                    for change in chunk {
                        let request = change.request(sequence: state.next())
                        pending[request.sequence] = request.operation
                        bytes += request.bytes
                    }
                    try state.socket.send(bytes, purpose: "\(chunk.count) routing changes")
                    try Self.readAnswers(on: state.socket, purpose: "acknowledgements of \(chunk.count) routing changes") {
                        sequence, answer in
                        guard case let .error(code, message) = answer, let operation = pending.removeValue(forKey: sequence) else {
                            return pending.isEmpty
                        }
                        if code != 0 { failures.append((operation, code, message)) }
                        return pending.isEmpty
                    }
                }
                if let first = failures.first {
                    throw .refused(operation: first.operation, errno: first.errno, message: first.message, otherFailures: failures.count - 1)
                }
            }
        }
    }

    // MARK: - Exchanges

    /// A lookup whose "not found" (ENODEV) is an empty answer rather than an error.
    private func lookup(_ make: (UInt32) -> RtnetlinkRequest) throws(RouteNetlinkError) -> [RtnetlinkAnswer] {
        do {
            return try exchange(make)
        } catch {
            if error.errno == ENODEV { return [] }
            throw error
        }
    }

    /// Sends one request and collects its answers: up to NLMSG_DONE for a dump, up to the ack
    /// for anything else.
    private func exchange(_ make: (UInt32) -> RtnetlinkRequest) throws(RouteNetlinkError) -> [RtnetlinkAnswer] {
        try state.withLock { (state: inout State) throws(RouteNetlinkError) in
            try Self.recovering(&state, namespace: networkNamespace) { (state: inout State) throws(RouteNetlinkError) in
                let request = make(state.next())
                try state.socket.send(request.bytes, purpose: request.operation)
                var answers: [RtnetlinkAnswer] = []
                var failure: (errno: Int32, message: String?)?
                try Self.readAnswers(on: state.socket, purpose: request.operation) { sequence, answer in
                    guard sequence == request.sequence else { return false }
                    switch answer {
                    case .done(let code):
                        if code != 0 { failure = (code, nil) }
                        return true
                    case let .error(code, message):
                        if code != 0 { failure = (code, message) }
                        return true
                    default:
                        answers.append(answer)
                        return false
                    }
                }
                if let failure {
                    throw .refused(operation: request.operation, errno: failure.errno, message: failure.message, otherFailures: 0)
                }
                return answers
            }
        }
    }

    /// Reads datagrams, handing each message to `handle` until it returns true.
    private static func readAnswers(
        on socket: RtnetlinkSocket, purpose: String, _ handle: (UInt32, RtnetlinkAnswer) -> Bool
    ) throws(RouteNetlinkError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = try socket.receive(into: buffer, purpose: purpose)
            var finished = false
            for (sequence, answer) in RtnetlinkAnswer.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                if handle(sequence, answer) { finished = true }
            }
            if finished { return }
        }
    }

    /// Runs `body`; when it fails other than by the kernel's refusal, replaces the socket: one
    /// left with answers unread would confuse the next reader.
    private static func recovering<T>(
        _ state: inout State, namespace: String?, _ body: (inout State) throws(RouteNetlinkError) -> T
    ) throws(RouteNetlinkError) -> T {
        do {
            return try body(&state)
        } catch {
            if case .refused = error {} else if let fresh = try? RtnetlinkSocket(networkNamespace: namespace) {
                state.socket = fresh
            }
            throw error
        }
    }
}
