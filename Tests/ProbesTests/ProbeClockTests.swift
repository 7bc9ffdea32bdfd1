import Testing

@testable import Probes

@Suite("Probe clocks")
struct ProbeClockTests {
    @Test("the system clock counts from its creation and never goes back")
    func systemNow() {
        let clock = SystemProbeClock()
        let first = clock.now
        let second = clock.now
        #expect(first >= .zero)
        #expect(first < .seconds(5))
        #expect(second >= first)
    }

    @Test("a cancelled system-clock sleep throws CancellationError")
    func systemCancel() async {
        let clock = SystemProbeClock()
        let sleeper = Task { try await clock.sleep(until: clock.now + .seconds(3600)) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test("the manual clock wakes exactly the sleepers whose deadline passed")
    func manualAdvance() async throws {
        let clock = ManualProbeClock(now: .seconds(100))
        let early = Task { try await clock.sleep(until: .seconds(110)) }
        let late = Task { try await clock.sleep(until: .seconds(130)) }
        await eventually("both sleep") { clock.pendingDeadlines == [.seconds(110), .seconds(130)] }

        clock.advance(by: .seconds(10))
        try await early.value
        #expect(clock.now == .seconds(110))
        #expect(clock.pendingDeadlines == [.seconds(130)])

        try await clock.sleep(until: .seconds(105))  // passed: returns at once
        late.cancel()
        await #expect(throws: CancellationError.self) { try await late.value }
        #expect(clock.pendingDeadlines.isEmpty)
    }
}
