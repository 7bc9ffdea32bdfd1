import DockerEngine
import Foundation
import KubeAPI
import Synchronization

/// The start and finish times of a node's app container instances, as the engine records them
/// (State.StartedAt, State.FinishedAt), collected by polling the engine: an instance is kept by
/// the agent until the next one dies, long enough to be seen, and polling survives a loaded
/// machine where an event stream might break.
final class ContainerTimeline: Sendable {
    private final class Instances: Sendable {
        /// Container ID -> (started, finished).
        let byID = Mutex<[String: (started: Date?, finished: Date?)]>([:])
    }

    private let instances = Instances()
    private let task: Task<Void, Never>

    /// - Parameter pod: only the containers of this pod (by name); all the node's when nil.
    init(client: DockerClient, node: String, pod: String? = nil) {
        let instances = self.instances
        var labels = ["io.clc-node.node=\(node)", "io.kubernetes.docker.type=container"]
        if let pod { labels.append("io.kubernetes.pod.name=\(pod)") }
        task = Task { [labels] in
            while !Task.isCancelled {
                let summaries = (try? await client.listContainers(labels: labels)) ?? []
                for summary in summaries {
                    let known = instances.byID.withLock { $0[summary.id] }
                    if known?.finished != nil { continue }
                    guard let inspect = try? await client.inspectContainer(id: summary.id) else { continue }
                    let started = KubeTime.parse(inspect.state.startedAt).flatMap { $0.timeIntervalSince1970 > 0 ? $0 : nil }
                    let finished = inspect.state.running ? nil : KubeTime.parse(inspect.state.finishedAt).flatMap { $0.timeIntervalSince1970 > 0 ? $0 : nil }
                    instances.byID.withLock { $0[summary.id] = (started, finished) }
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Start times of every instance seen, in order.
    var starts: [Date] { instances.byID.withLock { $0.values.compactMap(\.started).sorted() } }
    /// Finish times of the instances seen dead, in order.
    var deaths: [Date] { instances.byID.withLock { $0.values.compactMap(\.finished).sorted() } }

    func stop() { task.cancel() }

    /// What a failing test prints: the instances seen and the end of the agent's log.
    func report(agentLog: String, lines: Int = 60) {
        print("starts \(starts), deaths \(deaths); the agent's log ends with:")
        print(agentLog.split(separator: "\n").suffix(lines).joined(separator: "\n"))
    }
}
