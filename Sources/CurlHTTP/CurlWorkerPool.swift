import Dispatch
import Foundation
import Synchronization

/// A bounded set of threads that run blocking curl transfers, so that they never occupy the
/// Swift concurrency pool. Threads start on demand, up to `maxThreads`, and each keeps its own
/// ``CurlEasy`` (and so its connections) for its whole life.
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
    private let name: String

    init(maxThreads: Int, name: String) {
        self.maxThreads = max(1, maxThreads)
        self.name = name
    }

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
            jobsAvailable.wait()
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
