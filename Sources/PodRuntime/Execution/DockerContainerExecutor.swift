import DockerEngine
import Probes

/// Exec probes and hooks through the Docker engine, whose exec has no timeout of its own: the
/// client enforces it and kills the process when it runs over.
public struct DockerContainerExecutor: ContainerExecutor {
    private let engine: any DockerEngine

    public init(engine: any DockerEngine) { self.engine = engine }

    public func exec(containerID: String, command: [String], timeout: Duration) async throws -> (exitCode: Int, output: String) {
        let result = try await engine.exec(containerID: containerID, command: command, timeout: timeout)
        return (result.exitCode, result.output)
    }
}
