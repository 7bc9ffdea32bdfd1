@testable import CurlHTTP
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite("The curl worker pool")
struct CurlWorkerPoolTests {
    /// Submits `count` jobs that all block until released, and waits until all run at once.
    private func burst(_ pool: CurlWorkerPool, count: Int) async throws -> DispatchSemaphore {
        let release = DispatchSemaphore(value: 0)
        let running = Atomic(0)
        for _ in 0..<count {
            pool.submit { _ in
                running.add(1, ordering: .sequentiallyConsistent)
                release.wait()
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while running.load(ordering: .sequentiallyConsistent) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(running.load(ordering: .sequentiallyConsistent) == count, "every job of the burst ran at once")
        return release
    }

    private func threads(of pool: CurlWorkerPool, settleTo expected: Int, within: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + within
        while pool.threadCount != expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return pool.threadCount
    }

    @Test("threads started for a burst end once idle, down to the kept one")
    func burstThreadsRetire() async throws {
        let pool = CurlWorkerPool(maxThreads: 8, name: "test", keptThreads: 1, idleTimeout: .milliseconds(100))
        let release = try await burst(pool, count: 8)
        #expect(pool.threadCount == 8)
        for _ in 0..<8 { release.signal() }
        #expect(try await threads(of: pool, settleTo: 1, within: .seconds(5)) == 1)
    }

    @Test("a pool whose threads retired runs a second burst in full")
    func secondBurstAfterRetirement() async throws {
        let pool = CurlWorkerPool(maxThreads: 6, name: "test", keptThreads: 0, idleTimeout: .milliseconds(50))
        let first = try await burst(pool, count: 6)
        for _ in 0..<6 { first.signal() }
        #expect(try await threads(of: pool, settleTo: 0, within: .seconds(5)) == 0)
        let second = try await burst(pool, count: 6)
        #expect(pool.threadCount == 6)
        for _ in 0..<6 { second.signal() }
    }

    @Test("jobs submitted while idle threads time out are all run")
    func noJobLostAtRetirement() async throws {
        // An idle timeout of 1 ms makes threads decide to end while jobs keep arriving.
        let pool = CurlWorkerPool(maxThreads: 4, name: "test", keptThreads: 0, idleTimeout: .milliseconds(1))
        let done = Atomic(0)
        for round in 0..<200 {
            for _ in 0..<3 { pool.submit { _ in done.add(1, ordering: .sequentiallyConsistent) } }
            if round % 10 == 0 { try await Task.sleep(for: .milliseconds(2)) }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while done.load(ordering: .sequentiallyConsistent) < 600, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(done.load(ordering: .sequentiallyConsistent) == 600)
    }
}
