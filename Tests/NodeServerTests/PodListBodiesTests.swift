import Foundation
import KubeAPI
import Synchronization
import Testing

@testable import NodeServer

@Suite("The /pods body is encoded once per version of the pods")
struct PodListBodiesTests {
    /// Pods whose version and items the test sets; counts the reads of the items.
    final class ChangingPods: NodePodsProvider {
        private let state = Mutex<(version: UInt64, names: [String], reads: Int)>((1, ["web"], 0))

        var reads: Int { state.withLock { $0.reads } }
        func change(to names: [String]) { state.withLock { $0.version += 1; $0.names = names } }

        func version() async -> UInt64 { state.withLock { $0.version } }
        func pods() async -> NodePods {
            state.withLock { state in
                state.reads += 1
                return NodePods(version: state.version, items: state.names.map { Pod(metadata: ObjectMeta(name: $0, namespace: "default")) })
            }
        }
        func runningPods() async -> NodePods { await pods() }
    }

    func names(_ body: [UInt8]) throws -> [String?] {
        try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(body)).items.map(\.metadata.name)
    }

    @Test("requests at the same version get the body encoded first; a new version is read and encoded again")
    func reusedUntilTheVersionMoves() async throws {
        let provider = ChangingPods()
        let bodies = PodListBodies()

        #expect(try names(await bodies.body(.all, from: provider)) == ["web"])
        #expect(try names(await bodies.body(.all, from: provider)) == ["web"])
        #expect(provider.reads == 1)

        provider.change(to: ["web", "db"])
        #expect(try names(await bodies.body(.all, from: provider)) == ["web", "db"])
        #expect(provider.reads == 2)
    }

    @Test("/pods and /runningpods/ keep bodies of their own")
    func kindsAreSeparate() async throws {
        let provider = ChangingPods()
        let bodies = PodListBodies()
        _ = await bodies.body(.all, from: provider)
        _ = await bodies.body(.running, from: provider)
        _ = await bodies.body(.running, from: provider)
        #expect(provider.reads == 2)
    }
}
