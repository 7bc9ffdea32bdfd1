import Foundation
import KubeAPI
import MasterDouble
import TestSupport

/// A master double, an agent pointed at it, and clean-up of both.
final class Cluster: @unchecked Sendable {
    // @unchecked: used by one test at a time.
    let master: MasterDouble
    let fixture: AgentFixture

    /// - Parameter dockerSocket: the engine the agent drives; the test engine when nil.
    /// - Parameter stateDirectory: the agent's `--state-dir`; a fresh temporary directory when nil.
    init(
        _ prefix: String, dockerSocket: String? = nil, extraArguments: [String] = [], environment: [String: String] = [:],
        stateDirectory: String? = nil
    ) throws {
        master = try MasterDouble()
        try master.start()
        fixture = try AgentFixture(
            prefix, dockerSocket: dockerSocket, extraArguments: ["--master", master.url, "--node-status-interval", "1"] + extraArguments,
            environment: environment, stateDirectory: stateDirectory)
    }

    func apply(guestbook files: [String]) throws {
        for file in files {
            _ = try master.apply(try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.guestbookDirectory + "/" + file)))
        }
    }

    /// The master's pods to run, without the mirror pods of static pods.
    func pods() -> [Pod] { master.pods(namespace: "default").filter { $0.metadata.annotations?["kubernetes.io/config.mirror"] == nil } }

    /// The mirror pods of the node's static pods.
    func mirrorPods() -> [Pod] { master.pods(namespace: "default").filter { $0.metadata.annotations?["kubernetes.io/config.mirror"] != nil } }

    func runningPods() -> [Pod] {
        pods().filter { pod in
            pod.metadata.deletionTimestamp == nil && pod.status?.phase == "Running"
                && pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
                && !(pod.status?.podIP ?? "").isEmpty
        }
    }

    func tearDown() async {
        await fixture.tearDown()
        master.stop()
    }
}


extension Cluster {
    /// The master's events, decoded.
    func events() -> [Event] {
        master.events(namespace: "default").compactMap { value in
            (try? JSONEncoder().encode(value)).flatMap { try? JSONDecoder().decode(Event.self, from: $0) }
        }
    }

    func pod(_ name: String) -> Pod? { pods().first { $0.metadata.name == name } }

    /// The node's Ready condition on the master, when it has one.
    func readyCondition() -> NodeCondition? {
        guard let value = master.node(fixture.node), let data = try? JSONEncoder().encode(value),
            let node = try? JSONDecoder().decode(Node.self, from: data)
        else { return nil }
        return node.status?.conditions?.first { $0.type == "Ready" }
    }
}
