import Logging
import ServiceLifecycle
import ServiceProxy

/// Keeps `table ip clc-flannel` (`IPMasqRules`) in the kernel: replaces it whole, atomically,
/// at start and every `interval` (flannel re-checks its rules every 5 s), so a flush from
/// outside is repaired. The table is a few rules; replacing it costs one small batch.
public struct IPMasqService: ServiceLifecycle.Service {
    let ruleset: Ruleset
    let writer: any RulesetWriter
    let interval: Duration
    let logger: Logger

    public init(ruleset: Ruleset, writer: any RulesetWriter, interval: Duration = .seconds(10), logger: Logger) {
        self.ruleset = ruleset
        self.writer = writer
        self.interval = interval
        self.logger = logger
    }

    /// Writes the table once.
    /// - Throws: `NetfilterError` naming what the kernel refused.
    public func apply() throws(NetfilterError) { try writer.apply(Transaction.fullSync(ruleset)) }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    try apply()
                    if failing { logger.notice("the ip-masq table is written again") }
                    failing = false
                } catch {
                    if !failing { logger.warning("could not write the ip-masq table \(ruleset.table): \(error)") }
                    failing = true
                }
                guard (try? await Task.sleep(for: interval)) != nil else { return }
            }
        }
    }
}
