import Dispatch
import Foundation
import Synchronization

/// A bounded set of threads that run blocking curl transfers, so that they never occupy the
/// Swift concurrency pool. Threads start on demand, up to `maxThreads`, and each keeps its own
/// ``CurlEasy`` (and so its connections) for its whole life. A thread idle for `idleTimeout`
/// ends, and its connections close with it, except the last `keptThreads`: a burst (a hundred
/// pods started at once) leaves no threads and descriptors behind, while the steady trickle of
/// requests (node status every 10 s) keeps reusing one warm connection.
final class CurlWorkerPool: Sendable {
    typealias Job = @Sendable (CurlEasy) -> Void

    private struct State {
        var queue: [Job] = []
        var head = 0
        var idle = 0
        var threads = 0
    }

    private let state = Mutex(State())
    private let jobsAvailable = DispatchSemaphore(value: 0)
    private let maxThreads: Int
    private let keptThreads: Int
    private let idleTimeout: DispatchTimeInterval
    private let name: String

    init(maxThreads: Int, name: String, keptThreads: Int = 1, idleTimeout: DispatchTimeInterval = .seconds(5)) {
        self.maxThreads = max(1, maxThreads)
        self.keptThreads = max(0, keptThreads)
        self.idleTimeout = idleTimeout
        self.name = name
    }

    /// Threads alive now, for tests.
    var threadCount: Int { state.withLock { $0.threads } }

    func submit(_ job: @escaping Job) {
        let startThread = state.withLock { state in
            state.queue.append(job)
            let waiting = state.queue.count - state.head
            guard waiting > state.idle, state.threads < maxThreads else { return false }
            state.threads += 1
            return true
        }
        if startThread {
            let thread = Thread { [self] in workLoop() }
            thread.name = name
            thread.start()
        }
        jobsAvailable.signal()
    }

    private func workLoop() {
        let easy = CurlEasy()
        while true {
            state.withLock { $0.idle += 1 }
            while jobsAvailable.wait(timeout: .now() + idleTimeout) == .timedOut {
                // Every job queued is signalled once; if the other idle threads cover the jobs
                // not yet taken, this one may end. Decided under the lock `submit` counts idle
                // threads under, so a job is never left with nobody to take it.
                let retire = state.withLock { state in
                    guard state.threads > keptThreads, state.queue.count - state.head < state.idle else { return false }
                    state.idle -= 1
                    state.threads -= 1
                    return true
                }
                if retire { return }
            }
            let job = state.withLock { state -> Job in
                state.idle -= 1
                let job = state.queue[state.head]
                state.head += 1
                if state.head > 64, state.head * 2 > state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            job(easy)
        }
    }
}
