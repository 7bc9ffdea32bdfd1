import CNetfilter
import Logging
import MnlSocket
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Sends each transaction as one nfnetlink batch over libnftnl/libmnl (no `nft` process):
/// every message carries NLM_F_ACK; the answers are read until every sequence number has one;
/// the first error is reported with the operation it belongs to.
///
/// `apply` blocks for the duration of one batch (the kernel processes the batch inside
/// sendmsg); call it from a thread of its own or a bounded executor, not from the cooperative
/// pool in a loop.
public final class NetlinkRulesetWriter: RulesetWriter {
    private struct State {
        var socket: NetlinkSocket
        var sequence: UInt32
    }

    /// How many set elements go in one message: an element of a verdict map takes at most about
    /// 300 bytes (a 256-byte chain name), and an element list is a nested attribute whose length
    /// must fit 16 bits.
    static let elementsPerMessage = 128

    // Mutex: one batch at a time on the socket; the socket itself never leaves the lock.
    private let state: Mutex<State>
    private let logger: Logger

    /// - Parameters:
    ///   - networkNamespace: the path of a network namespace (`/var/run/netns/NAME`) to program
    ///     instead of the caller's; the socket is opened there, the calling thread stays.
    ///   - logger: the library never bootstraps logging; pass the agent's.
    /// - Throws: `NetfilterError.system` when the socket cannot be opened or bound.
    public init(networkNamespace: String? = nil, logger: Logger = Logger(label: "clc-node.service-proxy")) throws(NetfilterError) {
        let socket = try NetlinkSocket(networkNamespace: networkNamespace)
        // Sequence numbers start at the clock, as nft's do, so answers of different runs differ.
        state = Mutex(State(socket: socket, sequence: UInt32(truncatingIfNeeded: time(nil))))
        self.logger = logger
    }

    public func apply(_ transactions: [Transaction]) throws(NetfilterError) {
        let transactions = transactions.filter { !$0.isEmpty }
        guard !transactions.isEmpty else { return }
        try state.withLock { (state: inout State) throws(NetfilterError) in
            let batch = NetlinkBatch(firstSequence: state.sequence)
            for transaction in transactions { try Self.encode(transaction, into: batch) }
            let bytes = batch.finish()
            state.sequence &+= UInt32(batch.messageCount + 2)
            // The kernel queues every ack before we read one: room for all of them (an ack is
            // a small skb, well under 1 KiB with capped acks), and for the batch itself.
            state.socket.reserve(send: bytes.count + 65536, receive: max(4 << 20, batch.messageCount * 1024))
            try state.socket.send(bytes)
            try Self.readAcknowledgements(batch, on: state.socket)
        }
        logger.debug(
            "applied nftables transaction",
            metadata: [
                "nft.tables": "\(transactions.map(\.table).joined(separator: ","))",
                "nft.operations": "\(transactions.reduce(0) { $0 + $1.operations.count })",
            ])
    }

    // MARK: - Encoding

    static func encode(_ transaction: Transaction, into batch: NetlinkBatch) throws(NetfilterError) {
        let table = transaction.table
        // nft's default flags: create (do not fail if present) for additions, append for rules.
        let create = NLM_F_CREATE
        for operation in transaction.operations {
            let object = "\(operation) (table ip \(table))"
            switch operation {
            case .addTable, .deleteTable:
                let message = try NftTable(name: table)
                let type = operation == .addTable ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE
                batch.append(type: type.rawValue, flags: operation == .addTable ? create : 0, object: object) {
                    message.buildPayload($0)
                }
            case .addChain(let chain):
                let message = try NftChain(table: table, name: chain.name, base: chain.base)
                batch.append(type: NFT_MSG_NEWCHAIN.rawValue, flags: create, object: object) { message.buildPayload($0) }
            case .deleteChain(let name):
                let message = try NftChain(table: table, name: name)
                batch.append(type: NFT_MSG_DELCHAIN.rawValue, object: object) { message.buildPayload($0) }
            case .flushChain(let name):
                // DELRULE naming a chain and no rule handle deletes all of the chain's rules.
                let message = try NftRule(table: table, chain: name)
                batch.append(type: NFT_MSG_DELRULE.rawValue, object: object) { message.buildPayload($0) }
            case .addSet(let set):
                let message = try NftSet(table: table, definition: set, id: batch.allocateSetID())
                batch.append(type: NFT_MSG_NEWSET.rawValue, flags: create, object: object) { message.buildPayload($0) }
            case .deleteSet(let name):
                let message = try NftSet(table: table, name: name)
                batch.append(type: NFT_MSG_DELSET.rawValue, object: object) { message.buildPayload($0) }
            case let .addElements(set, elements):
                let keys = elements.keys.sorted()
                try appendElements(
                    keys.map { ($0, elements[$0]!) }, type: NFT_MSG_NEWSETELEM.rawValue, flags: create, set: set,
                    id: nil, table: table, verb: "add", into: batch)
            case let .deleteElements(set, keys):
                try appendElements(
                    keys.map { ($0, nil) }, type: NFT_MSG_DELSETELEM.rawValue, flags: 0, set: set, id: nil, table: table,
                    verb: "delete", into: batch)
            case let .addRule(chain, rule):
                let message = try NftRule(table: table, chain: chain)
                for statement in rule.statements { try statement.lower(into: message) }
                batch.append(type: NFT_MSG_NEWRULE.rawValue, flags: create | NLM_F_APPEND, object: object) {
                    message.buildPayload($0)
                }
            }
        }
    }

    private static func appendElements(
        _ elements: [(SetKey, ElementValue?)], type: UInt32, flags: Int32, set: String, id: UInt32?, table: String,
        verb: String, into batch: NetlinkBatch
    ) throws(NetfilterError) {
        var start = 0
        while start < elements.count {
            let chunk = elements[start..<min(start + elementsPerMessage, elements.count)]
            let list = try NftSet(table: table, name: set, id: id)
            for (key, value) in chunk {
                list.add(try NftSetElement(key: key.values.flatMap(\.registerBytes), value: value))
            }
            let first = chunk.first!.0
            let object =
                "\(verb) element\(chunk.count > 1 ? "s" : "") \(first)\(chunk.count > 1 ? " (and \(chunk.count - 1) more)" : "") of \(set) (table ip \(table))"
            batch.append(type: type, flags: flags, object: object) { list.buildElementsPayload($0) }
            start += chunk.count
        }
    }

    // MARK: - Acknowledgements

    /// Reads until every message has its answer. nfnetlink processes the whole batch before it
    /// answers, keeps going after an error so that every failing message is reported, then
    /// aborts all of it; a commit failure is reported against the BATCH_BEGIN message.
    static func readAcknowledgements(_ batch: NetlinkBatch, on socket: NetlinkSocket) throws(NetfilterError) {
        var pending = Set(batch.objects.keys)
        var failures: [(sequence: UInt32, errno: Int32, message: String?)] = []
        var commitError: Int32?
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        while !pending.isEmpty {
            let count: Int
            do {
                count = try socket.receive(into: buffer)
            } catch {
                if case .system(_, let code) = error, code == EAGAIN || code == EWOULDBLOCK {
                    throw .missingAcks(expected: batch.messageCount, received: batch.messageCount - pending.count)
                }
                throw error
            }
            for answer in parseAnswers(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                if answer.sequence == batch.beginSequence, answer.errno != 0 {
                    commitError = answer.errno
                    continue
                }
                guard pending.remove(answer.sequence) != nil else { continue }
                if answer.errno != 0 { failures.append((answer.sequence, answer.errno, answer.message)) }
            }
        }
        if let first = failures.min(by: { $0.sequence < $1.sequence }) {
            throw .rejected(
                object: batch.objects[first.sequence] ?? "message \(first.sequence)", errno: first.errno,
                message: first.message, otherFailures: failures.count - 1)
        }
        if let commitError { throw .commitFailed(errno: commitError) }
    }

    struct Answer {
        var sequence: UInt32
        /// 0 for an acknowledgement, else the positive errno.
        var errno: Int32
        /// The extended ack's text (NLMSGERR_ATTR_MSG), when present.
        var message: String?
    }

    /// The NLMSG_ERROR messages of one datagram.
    static func parseAnswers(_ bytes: UnsafeRawBufferPointer) -> [Answer] {
        NetlinkMessage.messages(in: bytes).compactMap { message in
            guard message.isError, let sequence = message.originalSequence, let code = message.errorCode else { return nil }
            return Answer(sequence: sequence, errno: code, message: message.extendedAckMessage)
        }
    }
}
