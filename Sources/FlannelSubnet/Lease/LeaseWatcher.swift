import AgentTime
import Logging

/// Follows the leases: list, then watch from the listing's revision; a watch that fell out of
/// etcd's history (v2 "event index cleared", v3 compaction) lists again, a broken one resumes
/// where it stopped after a back-off. Each change delivers the complete set.
public struct LeaseWatcher: Sendable {
    public let registry: any SubnetRegistry
    public let clock: any LeaseClock
    public let logger: Logger
    /// First pause after a failure; doubles up to `maximumBackOff`.
    public var initialBackOff: Duration = .seconds(1)
    public var maximumBackOff: Duration = .seconds(30)

    public init(registry: any SubnetRegistry, clock: any LeaseClock = SystemLeaseClock(), logger: Logger) {
        self.registry = registry
        self.clock = clock
        self.logger = logger
    }

    /// Runs until cancelled. - Parameter deliver: called with the whole set after the first
    /// listing, after every relist and after every change.
    public func run(deliver: @Sendable ([SubnetLease]) async -> Void) async {
        var snapshot: LeaseSnapshot?
        var backOff = RetryBackOff(initial: initialBackOff, maximum: maximumBackOff)
        while !Task.isCancelled {
            do {
                if snapshot == nil {
                    let listing = try await registry.leases()
                    snapshot = LeaseSnapshot(listing)
                    await deliver(snapshot!.sorted)
                }
                let from = snapshot!.revision + 1
                for try await batch in registry.watchLeases(from: from) {
                    backOff.reset()
                    if snapshot!.apply(batch) { await deliver(snapshot!.sorted) }
                }
                // The stream ended without error (the gateway closed its response): resume
                // after a pause, so a peer that keeps closing at once is not hammered.
                try await clock.sleep(until: clock.now.addingTimeInterval(initialBackOff.seconds))
            } catch RegistryError.historyCompacted(let requested) {
                logger.notice(
                    "watch of leases fell behind etcd's history; listing again",
                    metadata: ["etcd.api": "\(registry.api.rawValue)", "etcd.revision": "\(requested)"])
                snapshot = nil
            } catch {
                if Task.isCancelled { return }
                let pause = backOff.next()
                logger.warning("watch of leases failed; resuming after \(pause)", metadata: ["error": "\(error)"])
                do { try await clock.sleep(until: clock.now.addingTimeInterval(pause.seconds)) } catch { return }
            }
        }
    }
}
