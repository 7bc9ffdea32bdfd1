import Logging
import ServiceLifecycle

/// Gives back the pages the agent no longer uses, every `interval` as ``TrimPolicy`` decides:
/// once start-up is over, then after each burst of work that left file pages behind.
public struct MemoryTrimService: Service {
    private let interval: Duration
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let reading: @Sendable () -> ResidentMemory?
    private let release: @Sendable () -> MemoryRelease.Outcome

    /// - Parameters:
    ///   - interval: between rounds; the first round is one interval after the start.
    ///   - reading: the process's resident memory (`/proc/self/statm`).
    ///   - release: gives pages back (``MemoryRelease/releaseNow()``).
    public init(
        interval: Duration, clock: any Clock<Duration> = ContinuousClock(), logger: Logger,
        reading: @escaping @Sendable () -> ResidentMemory? = ResidentMemory.current,
        release: @escaping @Sendable () -> MemoryRelease.Outcome = MemoryRelease.releaseNow
    ) {
        self.interval = interval
        self.clock = clock
        self.logger = logger
        self.reading = reading
        self.release = release
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var policy = TrimPolicy()
            while !Task.isCancelled {
                do { try await clock.sleep(for: interval) } catch { return }
                guard let before = reading() else { return }  // no /proc: nothing to measure by
                guard policy.shouldRelease(residentFileBytes: before.fileBacked) else { continue }
                let outcome = release()
                let after = reading() ?? before
                logger.debug(
                    "released unused pages",
                    metadata: [
                        "rss.before": "\(before.total >> 10) KiB", "rss.after": "\(after.total >> 10) KiB",
                        "file.released": "\(outcome.fileBytes >> 10) KiB",
                    ])
                for failure in outcome.failures { logger.warning("could not release unused pages: \(failure)") }
            }
        }
    }
}
