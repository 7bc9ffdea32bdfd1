import PodRuntime
import Testing

@Suite("The syncloop health check")
struct SyncLoopHealthTests {
    let now = ContinuousClock.now

    @Test("no sync running, or only short ones, is healthy")
    func healthy() {
        #expect(SyncLoopHealth.problem(inFlight: [:], now: now, limit: .seconds(300)) == nil)
        #expect(SyncLoopHealth.problem(inFlight: ["a": now - .seconds(299)], now: now, limit: .seconds(300)) == nil)
    }

    @Test("a sync running past the limit is named with how long it ran")
    func stuck() {
        let problem = SyncLoopHealth.problem(
            inFlight: ["fresh": now - .seconds(5), "stuck": now - .seconds(400)], now: now, limit: .seconds(300))
        #expect(problem == "the sync of pod stuck has run for 400 s (limit 300 s)")
    }

    @Test("the limit is kubelet's: twice the resync interval, at least five minutes")
    func limit() {
        #expect(SyncLoopHealth.limit(resyncInterval: .seconds(10)) == .seconds(300))
        #expect(SyncLoopHealth.limit(resyncInterval: .seconds(600)) == .seconds(1200))
    }
}
