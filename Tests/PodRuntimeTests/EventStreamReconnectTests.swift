import CurlHTTP
import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("The pod manager's event stream", .timeLimit(.minutes(1)))
struct EventStreamReconnectTests {
    @Test("an event line past the limit ends the stream and the pod manager opens it again, running on")
    func overlongEventReconnects() async throws {
        let clock = TestClock(TestFixtures.epoch)
        let engine = FakeDockerEngine(clock: clock)
        engine.failEventStreams(with: [LineSplitter.LineTooLong(stream: "docker events", limit: DockerClient.eventMaxLineBytes)])
        let syncer = PodSyncer(
            engine: engine,
            configuration: PodSyncer.Configuration(
                nodeName: "node-a", nodeIP: "192.168.1.10", infraImage: "clc-node/pause:1",
                stateDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("clc-node-\(UUID().uuidString)").path),
            events: RecordingEventRecorder(), infraImage: InfraImageProvisioner(engine: engine, logger: TestFixtures.logger),
            puller: ImagePuller(engine: engine, logger: TestFixtures.logger, now: { clock.now }), logger: TestFixtures.logger,
            now: { clock.now })
        let manager = PodManager(syncer: syncer, engine: engine, nodeName: "node-a", nodeIP: nil, logger: TestFixtures.logger)
        let task = Task { try await manager.run() }
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while engine.eventStreamsOpened < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(engine.eventStreamsOpened >= 2)
    }
}
