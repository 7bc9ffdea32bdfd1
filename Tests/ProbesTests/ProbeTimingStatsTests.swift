import Testing

@testable import Probes

@Suite("Probe timing statistics")
struct ProbeTimingStatsTests {
    @Test("no samples: every percentile is zero and the count is 0")
    func empty() {
        let stats = ProbeTimingStats()
        #expect(stats.count == 0)
        #expect(stats.percentile(50) == .zero)
        #expect(stats.percentile(99) == .zero)
    }

    @Test(
        "percentiles of 1...100 ms are the nearest rank",
        arguments: [(0.0, 1), (1, 1), (50, 50), (99, 99), (99.5, 100), (100, 100)])
    func percentiles(_ p: Double, _ milliseconds: Int) {
        var stats = ProbeTimingStats()
        for value in (1...100).shuffled() { stats.add(.milliseconds(value)) }
        #expect(stats.count == 100)
        #expect(stats.percentile(p) == .milliseconds(milliseconds))
    }

    @Test("past its capacity the oldest samples are overwritten, and the count keeps going")
    func ring() {
        var stats = ProbeTimingStats(capacity: 3)
        for value in [1, 2, 3, 40, 50] { stats.add(.milliseconds(value)) }
        #expect(stats.count == 5)
        #expect(stats.percentile(0) == .milliseconds(3))
        #expect(stats.percentile(100) == .milliseconds(50))
    }

    @Test("reset forgets samples and count")
    func reset() {
        var stats = ProbeTimingStats()
        stats.add(.milliseconds(7))
        stats.reset()
        #expect(stats.count == 0)
        #expect(stats.percentile(100) == .zero)
        stats.add(.milliseconds(2))
        #expect(stats.percentile(100) == .milliseconds(2))
    }
}
