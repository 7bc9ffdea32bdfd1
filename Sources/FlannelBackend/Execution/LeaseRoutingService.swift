import Logging
import RouteNetlink
import ServiceLifecycle
import Synchronization

/// Keeps the kernel's routes in step with the remote leases: reconciles at start, whenever
/// `update` hands it a new list (the lease watch), and every `interval` (10 s, as the brief
/// for host-gw asks), which re-adds what was deleted from outside. Returns when the group
/// shuts down.
public final class LeaseRoutingService: ServiceLifecycle.Service, Sendable {
    private enum Wake: Sendable {
        case leases
        case tick
    }

    private let executor: BackendExecutor
    private let interval: Duration
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let wakes: AsyncStream<Wake>
    private let wake: AsyncStream<Wake>.Continuation
    // Mutex: the latest leases, written by the watch, read by the loop.
    private let leases = Mutex<[RemoteLease]?>(nil)
    private let passes = Atomic<Int>(0)

    /// - Parameters:
    ///   - interval: between periodic reconciles.
    ///   - clock: tests inject their own.
    public init(executor: BackendExecutor, interval: Duration = .seconds(10), clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.executor = executor
        self.interval = interval
        self.clock = clock
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Wake.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Hands over the current remote leases (every other node's, ours may be among them).
    public func update(_ remotes: [RemoteLease]) {
        leases.withLock { $0 = remotes }
        wake.yield(.leases)
    }

    /// How many reconciles have run (for tests and metrics).
    public var reconcileCount: Int { passes.load(ordering: .relaxed) }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                let (clock, interval, wake) = (self.clock, self.interval, self.wake)
                group.addTask {
                    while (try? await clock.sleep(for: interval)) != nil { wake.yield(.tick) }
                }
                var failing: String?
                for await _ in self.wakes {
                    // Nothing is programmed before the first list of leases arrives.
                    guard let remotes = self.leases.withLock({ $0 }) else { continue }
                    do {
                        let changes = try self.executor.reconcile(remotes)
                        if !changes.isEmpty {
                            self.logger.info("routes follow the leases", metadata: ["flannel.changes": "\(changes.count)", "flannel.leases": "\(remotes.count)"])
                        }
                        if failing != nil { self.logger.notice("programming the leases' routes works again") }
                        failing = nil
                    } catch {
                        if failing != "\(error)" { self.logger.warning("could not program the leases' routes: \(error)") }
                        failing = "\(error)"
                    }
                    self.passes.add(1, ordering: .relaxed)
                }
                group.cancelAll()
            }
        }
    }

    /// Ends `run` (tests; the group ends it through cancellation).
    public func finish() { wake.finish() }
}
