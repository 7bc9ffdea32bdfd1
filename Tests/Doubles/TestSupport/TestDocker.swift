import DockerEngine
import Foundation

/// The test engine, with the questions integration tests ask about a node's containers.
public struct TestDocker: Sendable {
    public let client: DockerClient

    /// The engine at `socketPath`, else the test engine.
    public init(socketPath: String? = nil) throws {
        client = DockerClient(socketPath: try socketPath ?? TestEnvironment.dockerSocket())
    }

    /// Every container of `node`, inspected.
    public func containers(node: String) async throws -> [ContainerInspect] {
        var result: [ContainerInspect] = []
        for summary in try await client.listContainers(labels: ["io.clc-node.node=\(node)"]) {
            if let inspect = try? await client.inspectContainer(id: summary.id) { result.append(inspect) }
        }
        return result
    }

    /// Running app (non-infra) containers of `node`.
    public func runningApps(node: String) async throws -> [ContainerInspect] {
        try await containers(node: node).filter {
            $0.state.running && $0.labels["io.kubernetes.docker.type"] == "container"
        }
    }

    /// Removes every container of `node` (test clean-up).
    public func removeAll(node: String) async {
        for container in (try? await client.listContainers(labels: ["io.clc-node.node=\(node)"])) ?? [] {
            try? await client.removeContainer(id: container.id)
        }
    }
}

/// Writes a manifest file the way an operator would: to a temporary name, then renamed, so the
/// agent never reads half a file.
public func writeManifest(_ text: String, to directory: String, name: String) throws {
    let temporary = directory + "/.\(name).tmp"
    try text.write(toFile: temporary, atomically: false, encoding: .utf8)
    try FileManager.default.moveItem(atPath: temporary, toPath: directory + "/" + name)
}

/// A one-container pod manifest running `clc-test/busybox` with a shell script that ends on
/// SIGTERM.
public func busyboxPod(
    name: String, script: String = "trap 'exit 0' TERM; while true; do sleep 1; done", restartPolicy: String = "Always",
    grace: Int = 5, extraContainerJSON: String = ""
) -> String {
    let escaped = script.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "\(name)"},
         "spec": {"restartPolicy": "\(restartPolicy)", "terminationGracePeriodSeconds": \(grace),
                  "containers": [{"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                                  "command": ["sh", "-c", "\(escaped)"]\(extraContainerJSON)}]}}
        """
}
