import AgentTime
import Foundation
import Testing

@Suite("The steady clock")
struct SteadyClockTests {
    @Test("it starts at its wall-clock origin and moves only with the monotonic clock")
    func movesWithMonotonicTime() {
        let origin = ContinuousClock.now
        let wall = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = SteadyClock(wall: wall, origin: origin)
        #expect(clock.date(at: origin) == wall)
        #expect(clock.date(at: origin + .milliseconds(1500)) == wall.addingTimeInterval(1.5))
        #expect(clock.date(at: origin - .seconds(2)) == wall.addingTimeInterval(-2))
    }

    @Test("a clock whose origin was an hour off stays an hour off: the system clock is read once")
    func readsTheWallClockOnce() {
        let clock = SteadyClock(wall: Date().addingTimeInterval(-3600))
        let offset = Date().timeIntervalSince(clock.now)
        #expect(abs(offset - 3600) < 5)
    }

    @Test("the process's clock is near the system clock while nobody steps it")
    func processClock() {
        #expect(abs(SteadyClock.process.now.timeIntervalSinceNow) < 5)
    }
}
