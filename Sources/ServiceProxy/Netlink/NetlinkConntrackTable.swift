import CNetfilter
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The kernel's IPv4 conntrack table over ctnetlink (no `conntrack` process): a deletion dumps
/// the table, picks the entries the filters select, and deletes each by its original tuple,
/// zone and id, many requests to one datagram, each acknowledged.
///
/// The calls block for a dump of the whole table and the deletions; call them from a thread
/// of their own or a bounded executor, not from the cooperative pool in a loop.
public final class NetlinkConntrackTable: ConntrackTable {
    private struct State {
        var socket: NetlinkSocket
        var sequence: UInt32

        mutating func nextSequence() -> UInt32 {
            defer { sequence &+= 1 }
            return sequence
        }
    }

    /// Deletions sent in one datagram before their acknowledgements are read: about 21 KiB of
    /// requests, and well under the receive buffer in acknowledgements.
    static let deletionsPerDatagram = 256

    // Mutex: one dump or deletion at a time on the socket; the socket never leaves the lock.
    private let state: Mutex<State>
    private let networkNamespace: String?
    private let logger: Logger

    /// - Parameters:
    ///   - networkNamespace: the path of a network namespace (`/var/run/netns/NAME`) whose
    ///     table to change instead of the caller's; the socket is opened there, the calling
    ///     thread stays where it is.
    ///   - logger: the library never bootstraps logging; pass the agent's.
    /// - Throws: `NetfilterError.system` when the socket cannot be opened or bound.
    public init(networkNamespace: String? = nil, logger: Logger = Logger(label: "clc-node.service-proxy")) throws(NetfilterError) {
        let socket = try NetlinkSocket(networkNamespace: networkNamespace)
        state = Mutex(State(socket: socket, sequence: UInt32(truncatingIfNeeded: time(nil))))
        self.networkNamespace = networkNamespace
        self.logger = logger
    }

    /// Every IPv4 entry of the table, as `conntrack -L -f ipv4` lists it.
    /// - Throws: `NetfilterError.conntrackDumpFailed` when the kernel refuses the listing,
    ///   `.system` when the socket fails.
    public func entries() throws(NetfilterError) -> [ConntrackEntry] {
        try state.withLock { (state: inout State) throws(NetfilterError) in
            try Self.recovering(&state, namespace: networkNamespace) { (state: inout State) throws(NetfilterError) in
                try Self.dump(on: &state) { _ in true }
            }
        }
    }

    public func delete(matching filters: [ConntrackFilter]) throws(NetfilterError) -> Int {
        let index = ConntrackFilter.Index(filters)
        guard !index.isEmpty else { return 0 }
        let deleted = try state.withLock { (state: inout State) throws(NetfilterError) in
            try Self.recovering(&state, namespace: networkNamespace) { (state: inout State) throws(NetfilterError) in
                let stale = try Self.dump(on: &state, keeping: index.matches)
                return try Self.delete(stale, on: &state)
            }
        }
        logger.debug(
            "deleted stale conntrack entries",
            metadata: ["conntrack.filters": "\(filters.count)", "conntrack.deleted": "\(deleted)"])
        return deleted
    }

    /// Deletes exactly `entries`; returns how many the kernel deleted (those already gone are
    /// not counted).
    func delete(_ entries: [ConntrackEntry]) throws(NetfilterError) -> Int {
        try state.withLock { (state: inout State) throws(NetfilterError) in
            try Self.recovering(&state, namespace: networkNamespace) { (state: inout State) throws(NetfilterError) in
                try Self.delete(entries, on: &state)
            }
        }
    }

    /// Runs `body`; when it fails, replaces the socket: one left in the middle of a dump or
    /// with answers unread would refuse the next dump (EBUSY) or confuse the next reader.
    private static func recovering<T>(
        _ state: inout State, namespace: String?, _ body: (inout State) throws(NetfilterError) -> T
    ) throws(NetfilterError) -> T {
        do {
            return try body(&state)
        } catch {
            if let fresh = try? NetlinkSocket(networkNamespace: namespace) { state.socket = fresh }
            throw error
        }
    }

    // MARK: - Dump

    private static func dump(
        on state: inout State, keeping keep: (ConntrackEntry) -> Bool
    ) throws(NetfilterError) -> [ConntrackEntry] {
        let sequence = state.nextSequence()
        let request = ConntrackMessage.dumpRequest(sequence: sequence)
        try state.socket.send(request, purpose: "conntrack dump request")
        // The kernel fills dump datagrams up to the largest buffer a reader offered, at most
        // 32 KiB; a bigger buffer can never truncate one.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        defer { buffer.deallocate() }
        var kept: [ConntrackEntry] = []
        while true {
            let count = try state.socket.receive(into: buffer, purpose: "conntrack dump")
            for (answerSequence, answer) in ConntrackMessage.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            where answerSequence == sequence {
                switch answer {
                case .entry(let entry?): if keep(entry) { kept.append(entry) }
                case .entry(nil), .error(errno: 0): continue
                case .done(errno: 0): return kept
                case .done(let code), .error(let code): throw .conntrackDumpFailed(errno: code)
                }
            }
        }
    }

    // MARK: - Deletion

    private static func delete(_ entries: [ConntrackEntry], on state: inout State) throws(NetfilterError) -> Int {
        var deleted = 0
        var failures: [(entry: ConntrackEntry, errno: Int32)] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        defer { buffer.deallocate() }
        state.socket.reserve(send: deletionsPerDatagram * ConntrackMessage.requestLimit + 65536, receive: 4 << 20)
        var start = 0
        while start < entries.count {
            let chunk = entries[start..<min(start + deletionsPerDatagram, entries.count)]
            start += chunk.count
            var pending: [UInt32: ConntrackEntry] = [:]
            var requests: [UInt8] = []
            requests.reserveCapacity(chunk.count * 96)
            for entry in chunk {
                let sequence = state.nextSequence()
                pending[sequence] = entry
                requests += ConntrackMessage.deleteRequest(for: entry, sequence: sequence)
            }
            try state.socket.send(requests, purpose: "\(chunk.count) conntrack deletions")
            while !pending.isEmpty {
                let count: Int
                do {
                    count = try state.socket.receive(into: buffer, purpose: "conntrack deletion acknowledgements")
                } catch {
                    if case .system(_, let code) = error, code == EAGAIN || code == EWOULDBLOCK {
                        throw .missingAcks(expected: chunk.count, received: chunk.count - pending.count)
                    }
                    throw error
                }
                for (sequence, answer) in ConntrackMessage.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                    guard case .error(let code) = answer, let entry = pending.removeValue(forKey: sequence) else { continue }
                    switch code {
                    case 0: deleted += 1
                    case ENOENT: continue  // timed out since the dump, or replaced by a newer flow (another id)
                    default: failures.append((entry, code))
                    }
                }
            }
        }
        if let first = failures.first {
            throw .conntrackDeleteFailed(
                entry: "\(first.entry)", errno: first.errno, otherFailures: failures.count - 1, deleted: deleted)
        }
        return deleted
    }
}
