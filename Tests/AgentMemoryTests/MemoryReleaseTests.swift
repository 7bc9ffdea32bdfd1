import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import AgentMemory

@Suite("Giving this process's unused pages back")
struct MemoryReleaseTests {
    @Test("statm's resident and shared page counts are read as bytes")
    func statm() {
        #expect(ResidentMemory(statm: "2500 900 600 10 0 400 0\n", pageSize: 4096) == ResidentMemory(total: 900 * 4096, fileBacked: 600 * 4096))
        #expect(ResidentMemory(statm: "garbage", pageSize: 4096) == nil)
    }

    @Test("the loaded objects are the executable and its libraries, each with code and writable data")
    func loadedObjects() {
        let segments = LoadedSegments.current()
        let executable = segments.filter { $0.object.isEmpty }
        #expect(executable.contains { !$0.writable } && executable.contains(where: \.writable))
        #expect(segments.contains { $0.object.contains("libc.so") })
        #expect(!segments.contains { $0.object.contains("vdso") })
    }

    @Test("releasing drops file pages from this process, and its code and data still work")
    func releaseForReal() throws {
        // Touch a spread of code and read-only data first, so there is something to drop.
        let text = try JSONEncoder().encode(["key": Array(0..<1000)])
        let before = try #require(ResidentMemory.current())
        let outcome = MemoryRelease.releaseNow()
        let after = try #require(ResidentMemory.current())
        #expect(outcome.failures.isEmpty)
        #expect(outcome.fileBytes > 1 << 20)
        #expect(after.fileBacked < before.fileBacked)
        // The same code runs again from the page cache, with the same result.
        #expect(try JSONDecoder().decode([String: [Int]].self, from: text)["key"]?.count == 1000)
        #expect(try JSONEncoder().encode(["key": Array(0..<1000)]) == text)
    }

    @Test("the service releases after its first interval, then only when the file pages grow")
    func serviceRounds() async throws {
        let readings = Mutex([30, 15, 15, 16, 18, 15, 15].map { ResidentMemory(total: $0 << 21, fileBacked: $0 << 20) })
        let releases = Mutex(0)
        let (rounds, roundSeen) = AsyncStream.makeStream(of: Int.self)
        let service = MemoryTrimService(
            interval: .milliseconds(1), logger: Logger(label: "test"),
            reading: {
                readings.withLock { list in
                    guard !list.isEmpty else { return nil }  // ends the service
                    defer { roundSeen.yield(list.count) }
                    return list.removeFirst()
                }
            },
            release: {
                releases.withLock { $0 += 1 }
                return MemoryRelease.Outcome(fileBytes: 0, failures: [])
            })
        try await service.run()
        roundSeen.finish()
        // Seven readings: one per round plus one after each release.
        var seen = 0
        for await _ in rounds { seen += 1 }
        #expect(seen == 7)
        #expect(releases.withLock { $0 } == 2)
    }
}
