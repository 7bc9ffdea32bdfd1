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
        var transaction: Transaction?
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

    /// What the last `apply` did; reset by reading.
    func takeRecord() -> Record { record.withLock { let last = $0; $0 = Record(); return last } }

    func apply(_ transaction: Transaction) throws(NetfilterError) {
        let start = ContinuousClock.now
        switch path.withLock({ $0 }) {
        case .netlink:
            try netlink.apply(transaction)
        case .nft:
            do {
                try Nft.load(transaction.nftCommands)
            } catch {
                record.withLock { $0.failure = "\(error)" }
                // RulesetSync then forgets what it applied; the benchmark stops on the failure.
                throw .system(operation: "nft -f - (\(transaction.operations.count) operations)", errno: EIO)
            }
        }
        let elapsed = ContinuousClock.now - start
        record.withLock {
            $0.transaction = transaction
            $0.apply = elapsed
        }
    }
}
