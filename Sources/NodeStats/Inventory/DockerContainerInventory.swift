import DockerEngine
import Foundation
import PodRuntime
import Synchronization

/// ``ContainerInventory`` from the Docker engine: the node's containers by the agent's labels
/// (``ContainerLabels``), each running one inspected once for its PID and start time (kept while
/// the container runs, so a pass costs one list call plus one inspect per new container).
public final class DockerContainerInventory: ContainerInventory {
    private let engine: any DockerEngine
    private let nodeName: String?
    private let dockerRootDirectory: String
    private let known = Mutex<[String: StatsContainer]>([:])

    /// - Parameters:
    ///   - engine: the Docker engine.
    ///   - nodeName: only containers labelled for this node (``ContainerLabels/node``); nil for
    ///     every container with pod labels.
    ///   - dockerRootDirectory: the engine's data root (`docker info` DockerRootDir), where its
    ///     json-file logs live (`containers/<id>/<id>-json.log`).
    public init(engine: any DockerEngine, nodeName: String?, dockerRootDirectory: String = "/var/lib/docker") {
        self.engine = engine
        self.nodeName = nodeName
        self.dockerRootDirectory = dockerRootDirectory
    }

    public func runningContainers() async throws -> [StatsContainer] {
        let labels = nodeName.map { ["\(ContainerLabels.node)=\($0)"] } ?? [ContainerLabels.podUID]
        let running = try await engine.listContainers(labels: labels).filter { $0.state == "running" }
        let cached = known.withLock { $0 }
        var result: [StatsContainer] = []
        for summary in running {
            if let container = cached[summary.id] {
                result.append(container)
                continue
            }
            guard let inspect = try? await engine.inspectContainer(id: summary.id), inspect.state.running, inspect.state.pid > 0,
                let observed = ObservedContainer(inspect)
            else { continue }
            let labels = inspect.labels
            result.append(
                StatsContainer(
                    id: inspect.id, name: String(inspect.name.drop { $0 == "/" }), image: observed.image,
                    podName: labels[ContainerLabels.podName] ?? "", podNamespace: labels[ContainerLabels.podNamespace] ?? "",
                    podUID: observed.podUID, containerName: observed.name, isInfra: observed.isInfra, pid: inspect.state.pid,
                    startTime: observed.startedAt ?? observed.createdAt,
                    logPath: "\(dockerRootDirectory)/containers/\(inspect.id)/\(inspect.id)-json.log"))
        }
        known.withLock { known in
            known = Dictionary(result.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
        return result
    }
}
