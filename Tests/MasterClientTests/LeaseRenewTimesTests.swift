import Foundation
import Testing

@testable import MasterSync

@Suite("The node Lease's renewTimes")
struct LeaseRenewTimesTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("they follow the system clock while it runs on")
    func followTheWallClock() {
        var times = LeaseRenewTimes()
        #expect(times.next(wall: Self.start, steady: Self.start) == Self.start)
        #expect(times.next(wall: Self.start + 10, steady: Self.start + 10) == Self.start + 10)
    }

    @Test("after the system clock steps back an hour they go on from the last one by the monotonic time since")
    func neverGoBack() {
        var times = LeaseRenewTimes()
        _ = times.next(wall: Self.start, steady: Self.start)
        #expect(times.next(wall: Self.start + 10 - 3600, steady: Self.start + 10) == Self.start + 10)
        #expect(times.next(wall: Self.start + 20 - 3600, steady: Self.start + 20) == Self.start + 20)
    }

    @Test("after the system clock steps forward an hour they follow it")
    func followAStepForward() {
        var times = LeaseRenewTimes()
        _ = times.next(wall: Self.start, steady: Self.start)
        #expect(times.next(wall: Self.start + 3610, steady: Self.start + 10) == Self.start + 3610)
        #expect(times.next(wall: Self.start + 3620, steady: Self.start + 20) == Self.start + 3620)
    }
}
