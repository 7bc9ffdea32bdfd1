import Foundation
import ServiceProxy
import Synchronization

/// A `RulesetWriter` that applies through our netlink writer or, as the baseline, through
/// `nft -f -` of the transaction's commands, and remembers how long the last apply took and what
/// it sent, so a sync's time splits into computing and applying.
final class TimedWriter: RulesetWriter {
    enum Path: String {
        case netlink
        case nft
    }

    struct Record {
        /// The batch's transactions, one per table.
        var transactions: [Transaction] = []
        var apply: Duration = .zero
        var failure: String?
    }

    private let netlink: NetlinkRulesetWriter
    private let path: Mutex<Path>
    private let record = Mutex(Record())

    init(netlink: NetlinkRulesetWriter, path: Path = .netlink) {
        self.netlink = netlink
        self.path = Mutex(path)
    }

    func use(_ path: Path) { self.path.withLock { $0 = path } }

    /// While set, tables are renamed from `clc-proxy...` to this prefix, so that a second,
    /// single-table sync (kube-proxy's layout, the baseline) lives beside ours in one namespace.
    private let prefix = Mutex<String?>(nil)

    func renameTables(to prefix: String?) { self.prefix.withLock { $0 = prefix } }

    /// What the last `apply` did; reset by reading.
    func takeRecord() -> Record { record.withLock { let last = $0; $0 = Record(); return last } }

    func apply(_ transactions: [Transaction]) throws(NetfilterError) {
        var transactions = transactions
        if let prefix = prefix.withLock({ $0 }) {
            for index in transactions.indices {
                transactions[index].table = prefix + transactions[index].table.dropFirst(ProxyNames.table.count)
            }
        }
        let start = ContinuousClock.now
        switch path.withLock({ $0 }) {
        case .netlink:
            try netlink.apply(transactions)
        case .nft:
            do {
                // One nft -f input: atomic across the tables, as our batch is.
                try Nft.load(transactions.map(\.nftCommands).joined(separator: "\n"))
            } catch {
                record.withLock { $0.failure = "\(error)" }
                // RulesetSync then forgets what it applied; the benchmark stops on the failure.
                let count = transactions.reduce(0) { $0 + $1.operations.count }
                throw .system(operation: "nft -f - (\(count) operations)", errno: EIO)
            }
        }
        let elapsed = ContinuousClock.now - start
        record.withLock {
            $0.transactions = transactions
            $0.apply = elapsed
        }
    }
}
