/// The Docker engine operations the node agent uses, behind a protocol so that pod sync can be
/// tested with a recording fake while integration tests drive the real engine.
public protocol DockerEngine: Sendable {
    /// Engine and API version; the client negotiates its API version from it.
    func version() async throws(DockerError) -> DockerVersion
    /// Creates a container; a name already in use fails with HTTP 409.
    /// - Returns: the container ID.
    func createContainer(name: String, config: ContainerCreateConfig) async throws(DockerError) -> String
    func startContainer(id: String) async throws(DockerError)
    /// Sends the stop signal, waits `timeoutSeconds`, then kills.
    func stopContainer(id: String, timeoutSeconds: Int) async throws(DockerError)
    func killContainer(id: String, signal: String) async throws(DockerError)
    func removeContainer(id: String) async throws(DockerError)
    func inspectContainer(id: String) async throws(DockerError) -> ContainerInspect
    /// Containers, running or not, carrying every one of `labels` (`key` or `key=value`).
    func listContainers(labels: [String]) async throws(DockerError) -> [ContainerSummary]
    /// Image metadata, or nil when the engine has no such image.
    func inspectImage(name: String) async throws(DockerError) -> ImageInspect?
    /// Pulls `reference` from its registry; fails when the registry refuses or cannot be reached.
    func pullImage(reference: String) async throws(DockerError)
    /// Asks the registry of `reference` for its manifest without downloading anything
    /// (`GET /distribution/{name}/json`): the cheapest way to learn whether the registry answers.
    /// Fails as a pull would when it cannot be reached, with the registry's answer otherwise.
    func inspectDistribution(reference: String) async throws(DockerError)
    /// Creates an image from a root filesystem tarball (`docker import`).
    func importImage(tarball: [UInt8], reference: String, changes: [String]) async throws(DockerError)
    /// Runs a command in a running container and waits for it, at most `timeout`.
    func exec(containerID: String, command: [String], timeout: Duration) async throws(DockerError) -> ExecResult
    /// Container events (start, die, oom, destroy, ...) of containers carrying `labels`.
    func containerEvents(labels: [String]) -> AsyncThrowingStream<DockerEvent, any Error>

    // MARK: Networks

    /// Creates a network; a name already in use fails with HTTP 409 (``DockerError/isConflict``),
    /// a subnet overlapping another network's with the engine's "Pool overlaps" message.
    /// - Returns: the network ID.
    func createNetwork(_ config: NetworkCreateConfig) async throws(DockerError) -> String
    /// A network by ID or exact name, with its attached containers; nil when there is none.
    func inspectNetwork(id: String) async throws(DockerError) -> NetworkInspect?
    /// Networks named exactly `name` (every name when nil) carrying every one of `labels`.
    func listNetworks(name: String?, labels: [String]) async throws(DockerError) -> [NetworkInspect]
    /// Removes a network; one with containers attached fails (``DockerError/hasActiveEndpoints``).
    func removeNetwork(id: String) async throws(DockerError)
    /// Detaches a container from a network; `force` also when the container is not running.
    func disconnectNetwork(id: String, containerID: String, force: Bool) async throws(DockerError)
}
