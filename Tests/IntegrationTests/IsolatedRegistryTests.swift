import DockerEngine
import Foundation
import TestSupport
import Testing

/// The agent on a node whose registry lookups time out (``IsolatedEngine``): untagged images
/// (pull policy Always) must not cost each container the registry's time-out.
@Suite("A node cut off from its registry", .serialized)
struct IsolatedRegistryTests {
    @Test("the guestbook's six pods with untagged images run after one registry time-out, not one per frontend")
    func guestbookRunsWithoutRegistry() async throws {
        let engine = try await IsolatedEngine.start()
        do {
            try await guestbookRuns(on: engine)
        } catch {
            await engine.stop()
            throw error
        }
        await engine.stop()
    }

    private func guestbookRuns(on engine: IsolatedEngine) async throws {
        // What one pull costs there: the resolver's full time-out, not an instant failure.
        let client = DockerClient(socketPath: engine.socket)
        let clock = ContinuousClock()
        let probeStart = clock.now
        do {
            try await client.pullImage(reference: "clc-test/no-such-image")
            Issue.record("a pull succeeded in a namespace without DNS answers")
        } catch {
            #expect(error.message.contains("lookup registry-1.docker.io"), "\(error)")
            #expect(error.message.contains("i/o timeout"), "\(error)")
        }
        let timeOut = clock.now - probeStart
        #expect(timeOut >= .seconds(5), "the lookup waits for an answer that never comes")

        let fixture = try AgentFixture("isolated", dockerSocket: engine.socket)
        do {
            try fixture.copyGuestbook([
                "redis-master-controller.json", "redis-master-service.json", "redis-slave-controller.json",
                "redis-slave-service.json", "frontend-controller.json", "frontend-service.json",
            ])
            let elapsed = try await eventually("6 app containers running", timeout: timeOut * 4 + .seconds(30)) {
                try await fixture.docker.runningApps(node: fixture.node).count == 6
            }
            print("isolated registry: one registry time-out \(timeOut), six guestbook pods running after \(elapsed)")
            // Waiting in line behind each other's pulls, the three frontends would take one
            // time-out each: the last one about three.
            #expect(elapsed < timeOut * 3 / 2, "all six ran after \(elapsed); one registry time-out is \(timeOut)")
            let apps = try await fixture.docker.runningApps(node: fixture.node)
            let byName = Dictionary(grouping: apps) { $0.labels["io.kubernetes.container.name"] ?? "" }
            #expect(byName["master"]?.count == 1)
            #expect(byName["slave"]?.count == 2)
            #expect(byName["php-redis"]?.count == 3)
            let log = fixture.agent.log
            let fallbacks = log.components(separatedBy: "PullFallbackToLocal: ").count - 1
            #expect(fallbacks >= 6, "each container says it runs the local image")
            #expect(log.contains("registry docker.io unreachable"))
            #expect(log.contains("name resolution timed out"))
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }
}
