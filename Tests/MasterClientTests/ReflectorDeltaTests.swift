import Foundation
import KubeAPI
import Logging
import MasterClient
import MasterDouble
import Synchronization
import Testing

@Suite("what a reflector says changed")
struct ReflectorDeltaTests {
    struct Delivery: Sendable {
        var names: [String]
        var updated: [String]?
        var deleted: [String]?
    }

    @Test("a list comes without a delta; each watch event after it is named in the next delivery's delta")
    func deltasFollowTheWatch() async throws {
        let master = try MasterDouble()
        try master.start()
        defer { master.stop() }
        _ = try master.create(ReflectorRecoveryTests.pod("listed"))
        let client = MasterClient(endpoint: .init(baseURL: master.url), configuration: .init(retries: 0), logger: Logger(label: "test"))
        let deliveries = Mutex<[Delivery]>([])
        let reflector = Reflector<Pod>(
            client: client, path: "/api/v1/pods", logger: Logger(label: "test"),
            deliverWithDelta: { pods, delta in
                let delivery = Delivery(
                    names: pods.compactMap(\.metadata.name).sorted(), updated: delta?.updated.compactMap(\.metadata.name).sorted(),
                    deleted: delta?.deleted.compactMap(\.metadata.name).sorted())
                deliveries.withLock { $0.append(delivery) }
            })
        let task = Task { await reflector.run() }
        defer { task.cancel() }
        #expect(await master.waitUntil { _ in deliveries.withLock { !$0.isEmpty } })
        let first = try #require(deliveries.withLock { $0.first })
        #expect(first.names == ["listed"] && first.updated == nil && first.deleted == nil)

        _ = try master.create(ReflectorRecoveryTests.pod("watched"))
        #expect(await master.waitUntil { _ in deliveries.withLock { $0.last?.names == ["listed", "watched"] } })
        let added = try #require(deliveries.withLock { $0.last })
        #expect(added.updated == ["watched"] && added.deleted == [])

        _ = try master.deletePod(name: "listed", gracePeriodSeconds: 0)
        #expect(await master.waitUntil { _ in deliveries.withLock { $0.last?.names == ["watched"] } })
        let removed = try #require(deliveries.withLock { $0.last })
        #expect(removed.updated == [] && removed.deleted == ["listed"])
    }
}
