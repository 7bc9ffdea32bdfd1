import Foundation
import KubeAPI
import Logging
import MasterClient
import MasterDouble
import Synchronization
import Testing

@Suite("a reflector after a partition")
struct ReflectorRecoveryTests {
    static func pod(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": ["containers": [["name": "c", "image": "busybox"]]]]
    }

    @Test("a watch backed off by a partition resumes as soon as another request reaches the master again, not when its back-off ends")
    func resumesOnRecovery() async throws {
        let master = try MasterDouble()
        try master.start()
        defer { master.stop() }
        let client = MasterClient(endpoint: .init(baseURL: master.url), configuration: .init(retries: 0), logger: Logger(label: "test"))
        let seen = Mutex<Set<String>>([])
        let reflector = Reflector<Pod>(client: client, path: "/api/v1/pods", logger: Logger(label: "test")) { pods in
            seen.withLock { $0 = Set(pods.compactMap(\.metadata.name)) }
        }
        let task = Task { await reflector.run() }
        defer { task.cancel() }
        try master.create(Self.pod("before"))
        #expect(await master.waitUntil { _ in seen.withLock { $0.contains("before") } })

        // 8 s cut off: the watch's back-off has grown to 4-8 s between attempts.
        master.setPartitioned(true)
        _ = try? await client.request("GET", "/version")
        try master.create(Self.pod("during"))
        try await Task.sleep(for: .seconds(8))
        master.setPartitioned(false)
        // The node's heartbeat, say, gets through.
        _ = try await client.request("GET", "/version")
        let healed = ContinuousClock.now
        #expect(await master.waitUntil(timeout: .seconds(2)) { _ in seen.withLock { $0.contains("during") } })
        print("watch resumed \(ContinuousClock.now - healed) after the first request got through")
    }
}
