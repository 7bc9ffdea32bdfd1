import Foundation
import KubeAPI
import MasterDouble
import TestSupport

/// A master double, an agent pointed at it, and clean-up of both.
final class Cluster: @unchecked Sendable {
    // @unchecked: used by one test at a time.
    let master: MasterDouble
    let fixture: AgentFixture

    init(_ prefix: String, extraArguments: [String] = []) throws {
        master = try MasterDouble()
        try master.start()
        fixture = try AgentFixture(prefix, extraArguments: ["--master", master.url, "--node-status-interval", "1"] + extraArguments)
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
}
