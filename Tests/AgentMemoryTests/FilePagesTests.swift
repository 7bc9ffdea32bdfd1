import Testing

@testable import AgentMemory

@Suite("The file pages the agent may give back")
struct FilePagesTests {
    let page: UInt = 0x1000

    @Test("code and read-only data are released in whole pages, rounded inward")
    func inwardRounding() {
        let segments = [
            MappedSegment(object: "", addresses: 0x1000..<0x4800),  // read-only data, ends mid-page
            MappedSegment(object: "", addresses: 0x5010..<0x9000),  // code, starts mid-page
        ]
        #expect(FilePages.releasable(in: segments, pageSize: page) == [0x1000..<0x4000, 0x6000..<0x9000])
    }

    @Test("a writable or relocated segment is never released, nor a page it shares with code")
    func keptSegments() {
        let segments = [
            MappedSegment(object: "libx.so", addresses: 0x10000..<0x18000),  // code
            MappedSegment(object: "libx.so", addresses: 0x17800..<0x19000, writable: true),  // shares page 0x17000
            MappedSegment(object: "libx.so", addresses: 0x20000..<0x24000),  // read-only, but ...
            MappedSegment(object: "libx.so", addresses: 0x21000..<0x22000, relocated: true),  // ... relocations inside
        ]
        #expect(FilePages.releasable(in: segments, pageSize: page) == [0x10000..<0x17000, 0x20000..<0x21000, 0x22000..<0x24000])
    }

    @Test("adjacent ranges are merged and a segment smaller than a page gives nothing")
    func merging() {
        let segments = [
            MappedSegment(object: "a", addresses: 0x3000..<0x5000),
            MappedSegment(object: "a", addresses: 0x1000..<0x3000),
            MappedSegment(object: "b", addresses: 0x8100..<0x8f00),
        ]
        #expect(FilePages.releasable(in: segments, pageSize: page) == [0x1000..<0x5000])
    }
}

@Suite("When the agent gives pages back")
struct TrimPolicyTests {
    /// The policy's answers, round after round, to resident file pages of so many MB.
    func decisions(_ megabytes: [Int]) -> [Bool] {
        var policy = TrimPolicy(growth: 2 << 20)
        return megabytes.map { policy.shouldRelease(residentFileBytes: $0 << 20) }
    }

    @Test("the first round releases what start-up left, the next one takes the settled level")
    func firstRounds() {
        #expect(decisions([30, 15, 16]) == [true, false, false])
    }

    @Test("growth by the threshold over the settled level releases again, then a new level is taken")
    func growth() {
        #expect(decisions([30, 15, 17, 16, 17]) == [true, false, true, false, false])
    }

    @Test("pages the kernel reclaimed lower the level growth is measured from")
    func reclaimedByTheKernel() {
        #expect(decisions([30, 15, 12, 14]) == [true, false, false, true])
    }
}
