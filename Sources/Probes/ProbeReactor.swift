#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import HeapModule
import Synchronization

/// The one thread that times, runs and records the node's probes: an epoll loop that is the
/// probe manager's executor, wakes its sleeping workers at their deadlines, and tells a probe
/// when its socket can be written or read. A probe run that changes nothing never leaves this
/// thread.
///
/// It is written by hand, not taken from swift-nio, for what it costs: with 100 pods probed
/// over HTTP each second, NIO's channel, pipeline, futures and HTTP codec took ~2.4 % of a core
/// in user space, where one C epoll loop doing the same probing takes ~0.1 % (`bench/probes.sh`,
/// its "floor" column). It does only what probes need: jobs, deadlines and one-shot socket waits.
///
/// It is a task executor too. A continuation's resumption goes to the global pool unless the
/// task prefers an executor, and only then hops back to the actor: for a worker on the reactor,
/// a futex wake of a pool thread and a job back per wait. The probe manager's workers prefer the
/// reactor, so a resumed wait is one more job on this thread.
public final class ProbeReactor: SerialExecutor, TaskExecutor, Sendable {
    /// The node's probe thread, started on first use and never stopped.
    public static let shared = ProbeReactor(name: "clc-probes")

    /// What ended a ``wait(for:until:)``.
    public enum Wake: Sendable, Equatable {
        /// The socket is ready; the epoll events that said so (`EPOLLIN`, `EPOLLOUT`, `EPOLLERR`...).
        case ready(events: UInt32)
        /// The deadline passed first.
        case deadline
    }

    /// The events a socket wait asks for (epoll's `EPOLLIN`, `EPOLLOUT`, `EPOLLRDHUP`).
    public static let readable = EPOLLIN.rawValue
    public static let writable = EPOLLOUT.rawValue
    public static let peerClosed = EPOLLRDHUP.rawValue

    /// A socket to wait on, and whether epoll knows it yet (the first wait adds it, later ones
    /// re-arm it: every wait is one-shot).
    public struct PolledSocket: Sendable {
        public let fd: CInt
        fileprivate(set) var registered = false

        public init(fd: CInt) { self.fd = fd }
    }

    fileprivate enum Work {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    fileprivate struct Timer: Comparable {
        var deadline: UInt64
        var id: UInt64
        static func < (lhs: Timer, rhs: Timer) -> Bool { (lhs.deadline, lhs.id) < (rhs.deadline, rhs.id) }
    }

    fileprivate struct State {
        var work: [Work] = []
        /// In epoll_wait with nothing queued, until `sleepsUntil` (nil: no deadline).
        var sleeping = false
        var sleepsUntil: UInt64?
        /// The wake-up eventfd was written and not yet drained.
        var wakePending = false
        var nextID: UInt64 = 1
        /// Deadlines of pending waits; an entry whose wait already ended is dropped when it comes up.
        var timers = Heap<Timer>()
        var waiters: [UInt64: Waiter] = [:]
    }

    private let state = Mutex(State())
    private let epollFD: CInt
    private let wakeFD: CInt
    private let threadID = Atomic<UInt>(0)

    /// Starts the reactor's thread, which runs (and keeps the reactor, its epoll and eventfd)
    /// for the rest of the process: make one per process, as ``shared`` is.
    public init(name: String) {
        epollFD = epoll_create1(CInt(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, CInt(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epollFD >= 0 && wakeFD >= 0, "probe reactor: epoll or eventfd failed: errno \(errno)")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 0  // timer IDs start at 1
        precondition(epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0, "probe reactor: epoll_ctl failed: errno \(errno)")
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { argument in
                let reactor = Unmanaged<ProbeReactor>.fromOpaque(argument!).takeRetainedValue()
                reactor.run()
                return nil
            }, Unmanaged.passRetained(self).toOpaque())
        precondition(started == 0, "probe reactor: pthread_create failed: \(started)")
        pthread_setname_np(thread, String(name.prefix(15)))
        pthread_detach(thread)
    }

    /// True on the reactor's thread.
    public var isCurrent: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Monotonic time in nanoseconds (CLOCK_MONOTONIC), the reactor's measure of deadlines.
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// A duration in nanoseconds, as deadlines count them: 0 for a negative one, saturated at
    /// UInt64.max (a deadline centuries away) instead of overflowing.
    public static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow || carry ? .max : sum
    }

    /// The deadline `duration` after `start` (a reading of ``now()``), saturated at UInt64.max.
    public static func deadline(from start: UInt64, after duration: Duration) -> UInt64 {
        let (deadline, overflow) = start.addingReportingOverflow(nanoseconds(duration))
        return overflow ? .max : deadline
    }

    // MARK: Executor

    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Lets `assumeIsolated` and `preconditionIsolated` of an actor on this executor work on the
    /// reactor's thread (in an `execute` closure, say).
    public func checkIsolated() {
        precondition(isCurrent, "not on the probe reactor's thread")
    }

    /// Runs `work` on the reactor's thread, after what is queued already.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        submit(.closure(work))
    }

    private func submit(_ work: Work) {
        let wake = state.withLock { state in
            state.work.append(work)
            return state.wakeIfSleeping(before: nil)
        }
        if wake { signal() }
    }

    // MARK: Waiting

    /// Suspends until the socket is ready for `events` (epoll's; none: until the deadline only),
    /// or the monotonic `deadline` passes, whichever comes first. Runs on the caller's executor
    /// and is resumed from the reactor's thread. Throws `CancellationError` when the task is
    /// cancelled (a deadline already passed returns `.deadline` unless it is).
    ///
    /// `isolation` is the caller's, taken rather than `nonisolated(nonsending)`: the cancellation
    /// handler's operation closure must capture it to run there too (a closure formed in a
    /// nonsending function is nonisolated, and would leave the reactor for the global pool).
    public func wait(
        for socket: inout PolledSocket?, events: UInt32 = 0, until deadline: UInt64,
        isolation: isolated (any Actor)? = #isolation
    ) async throws -> Wake {
        if socket == nil, deadline <= Self.now() {
            try Task.checkCancellation()
            return .deadline
        }
        // The waiter is known before epoll is told of the socket, which may be ready at once: the
        // reactor must find it then. It may so be finished before its continuation exists.
        let waiter = Waiter()
        let (id, wake) = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.waiters[id] = waiter
            state.timers.insert(Timer(deadline: deadline, id: id))
            return (id, state.wakeIfSleeping(before: deadline))
        }
        if wake { signal() }
        if var polled = socket {
            var event = epoll_event()
            event.events = events | EPOLLONESHOT.rawValue
            event.data.u64 = id
            if epoll_ctl(epollFD, polled.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, polled.fd, &event) != 0 {
                let code = errno
                forget(id)
                waiter.finish(.failure(ReactorError(operation: "epoll_ctl", code: code)))
            } else {
                polled.registered = true
                socket = polled
            }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation(isolation: isolation) { (continuation: CheckedContinuation<Wake, any Error>) in
                waiter.start(continuation)
            }
        } onCancel: {
            self.forget(id)
            waiter.finish(.failure(CancellationError()))
        }
    }

    /// Drops a wait that ended otherwise than by its socket or deadline; its timer goes when it
    /// comes up (the loop drops timers without a waiter), and a late event finds nothing.
    private func forget(_ id: UInt64) {
        state.withLock { _ = $0.waiters.removeValue(forKey: id) }
    }

    // MARK: The loop

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        let capacity = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        let executor = asUnownedSerialExecutor()
        let taskExecutor = asUnownedTaskExecutor()
        // The queue and this batch trade buffers, so neither is allocated again.
        var batch: [Work] = []
        while true {
            state.withLock { swap(&batch, &$0.work) }
            for work in batch {
                switch work {
                // Both at once: an actor on the reactor needs no further job to go on.
                case let .job(job): job.runSynchronously(isolatedTo: executor, taskExecutor: taskExecutor)
                case let .closure(closure): closure()
                }
            }
            batch.removeAll(keepingCapacity: true)
            let now = Self.now()
            let (due, timeout) = state.withLock { state -> ([(Waiter, Wake)], CInt) in
                var due: [(Waiter, Wake)] = []
                while let first = state.timers.min, first.deadline <= now || state.waiters[first.id] == nil {
                    state.timers.removeMin()
                    if let waiter = state.waiters.removeValue(forKey: first.id) { due.append((waiter, .deadline)) }
                }
                if !due.isEmpty || !state.work.isEmpty { return (due, 0) }
                state.sleeping = true
                state.sleepsUntil = state.timers.min?.deadline
                guard let until = state.sleepsUntil else { return (due, -1) }
                // Rounded up: waking early would only spin.
                let wait = until - now
                return (due, CInt(clamping: wait / 1_000_000 + (wait % 1_000_000 == 0 ? 0 : 1)))
            }
            for (waiter, wake) in due { waiter.finish(.success(wake)) }
            let count = epoll_wait(epollFD, events, CInt(capacity), timeout)
            var ready: [(Waiter, Wake)] = []
            state.withLock { state in
                state.sleeping = false
                for index in 0..<max(0, Int(count)) {
                    let event = events[index]
                    if event.data.u64 == 0 {
                        state.wakePending = false
                    } else if let waiter = state.waiters.removeValue(forKey: event.data.u64) {
                        ready.append((waiter, .ready(events: event.events)))
                    }
                }
            }
            if (0..<max(0, Int(count))).contains(where: { events[$0].data.u64 == 0 }) {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, MemoryLayout<UInt64>.size)
            }
            for (waiter, wake) in ready { waiter.finish(.success(wake)) }
        }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }
}

extension ProbeReactor.State {
    /// Whether the sleeping loop must be woken for new work (deadline nil) or a new deadline
    /// earlier than the one it sleeps to; marks the wake as pending so that one write suffices.
    fileprivate mutating func wakeIfSleeping(before deadline: UInt64?) -> Bool {
        guard sleeping, !wakePending else { return false }
        if let deadline, let until = sleepsUntil, deadline >= until { return false }
        wakePending = true
        return true
    }
}

/// A failed system call of the reactor.
public struct ReactorError: Error, CustomStringConvertible {
    public var operation: String
    public var code: CInt
    public var description: String { "\(operation): \(NetworkProbe.errnoText(code))" }
}

/// One wait: its continuation is resumed exactly once, by the socket, the deadline or
/// cancellation, whichever comes first.
private final class Waiter: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<ProbeReactor.Wake, any Error>)
        case finished(Result<ProbeReactor.Wake, any Error>)
        case done
    }

    private let state = Mutex(State.idle)

    func start(_ continuation: CheckedContinuation<ProbeReactor.Wake, any Error>) {
        let early = state.withLock { state -> Result<ProbeReactor.Wake, any Error>? in
            switch state {
            case .idle:
                state = .waiting(continuation)
                return nil
            case let .finished(result):
                state = .done
                return result
            case .waiting, .done: return nil
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func finish(_ result: Result<ProbeReactor.Wake, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<ProbeReactor.Wake, any Error>? in
            switch state {
            case .idle:
                // Cancelled before the continuation was there: `start` resumes it.
                state = .finished(result)
                return nil
            case let .waiting(continuation):
                state = .done
                return continuation
            case .finished, .done: return nil
            }
        }
        continuation?.resume(with: result)
    }
}
