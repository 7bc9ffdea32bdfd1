/// Where ``InstrumentedDockerEngine`` reports each call, for kubelet's
/// `kubelet_runtime_operations_total`, `_errors_total` and `_duration_seconds`.
public protocol DockerOperationRecorder: Sendable {
    /// - Parameters:
    ///   - operation: the call in snake case, e.g. `create_container`, `pull_image`.
    ///   - duration: how long the engine took to answer.
    ///   - failed: whether it answered with an error.
    func recordDockerOperation(_ operation: String, duration: Duration, failed: Bool)
}

/// A ``DockerEngine`` that times every call of another one and tells a recorder, so that the
/// agent's runtime metrics need no change in the code that calls the engine. The event stream
/// is passed through untimed (it lasts as long as the agent).
public struct InstrumentedDockerEngine: DockerEngine {
    private let base: any DockerEngine
    private let recorder: any DockerOperationRecorder

    public init(_ base: any DockerEngine, recorder: any DockerOperationRecorder) {
        self.base = base
        self.recorder = recorder
    }

    private func timed<T>(_ operation: String, _ call: () async throws(DockerError) -> T) async throws(DockerError) -> T {
        let start = ContinuousClock.now
        do {
            let result = try await call()
            recorder.recordDockerOperation(operation, duration: ContinuousClock.now - start, failed: false)
            return result
        } catch {
            recorder.recordDockerOperation(operation, duration: ContinuousClock.now - start, failed: true)
            throw error
        }
    }

    public func version() async throws(DockerError) -> DockerVersion {
        try await timed("version") { () async throws(DockerError) in try await base.version() }
    }
    public func createContainer(name: String, config: ContainerCreateConfig) async throws(DockerError) -> String {
        try await timed("create_container") { () async throws(DockerError) in try await base.createContainer(name: name, config: config) }
    }
    public func startContainer(id: String) async throws(DockerError) {
        try await timed("start_container") { () async throws(DockerError) in try await base.startContainer(id: id) }
    }
    public func stopContainer(id: String, timeoutSeconds: Int) async throws(DockerError) {
        try await timed("stop_container") { () async throws(DockerError) in try await base.stopContainer(id: id, timeoutSeconds: timeoutSeconds) }
    }
    public func killContainer(id: String, signal: String) async throws(DockerError) {
        try await timed("kill_container") { () async throws(DockerError) in try await base.killContainer(id: id, signal: signal) }
    }
    public func removeContainer(id: String) async throws(DockerError) {
        try await timed("remove_container") { () async throws(DockerError) in try await base.removeContainer(id: id) }
    }
    public func inspectContainer(id: String) async throws(DockerError) -> ContainerInspect {
        try await timed("inspect_container") { () async throws(DockerError) in try await base.inspectContainer(id: id) }
    }
    public func listContainers(labels: [String]) async throws(DockerError) -> [ContainerSummary] {
        try await timed("list_containers") { () async throws(DockerError) in try await base.listContainers(labels: labels) }
    }
    public func inspectImage(name: String) async throws(DockerError) -> ImageInspect? {
        try await timed("inspect_image") { () async throws(DockerError) in try await base.inspectImage(name: name) }
    }
    public func pullImage(reference: String) async throws(DockerError) {
        try await timed("pull_image") { () async throws(DockerError) in try await base.pullImage(reference: reference) }
    }
    public func inspectDistribution(reference: String) async throws(DockerError) {
        try await timed("inspect_distribution") { () async throws(DockerError) in try await base.inspectDistribution(reference: reference) }
    }
    public func importImage(tarball: [UInt8], reference: String, changes: [String]) async throws(DockerError) {
        try await timed("import_image") { () async throws(DockerError) in
            try await base.importImage(tarball: tarball, reference: reference, changes: changes)
        }
    }
    public func exec(containerID: String, command: [String], timeout: Duration) async throws(DockerError) -> ExecResult {
        try await timed("exec") { () async throws(DockerError) in try await base.exec(containerID: containerID, command: command, timeout: timeout) }
    }
    public func containerEvents(labels: [String]) -> AsyncThrowingStream<DockerEvent, any Error> {
        base.containerEvents(labels: labels)
    }
    public func createNetwork(_ config: NetworkCreateConfig) async throws(DockerError) -> String {
        try await timed("create_network") { () async throws(DockerError) in try await base.createNetwork(config) }
    }
    public func inspectNetwork(id: String) async throws(DockerError) -> NetworkInspect? {
        try await timed("inspect_network") { () async throws(DockerError) in try await base.inspectNetwork(id: id) }
    }
    public func listNetworks(name: String?, labels: [String]) async throws(DockerError) -> [NetworkInspect] {
        try await timed("list_networks") { () async throws(DockerError) in try await base.listNetworks(name: name, labels: labels) }
    }
    public func removeNetwork(id: String) async throws(DockerError) {
        try await timed("remove_network") { () async throws(DockerError) in try await base.removeNetwork(id: id) }
    }
    public func disconnectNetwork(id: String, containerID: String, force: Bool) async throws(DockerError) {
        try await timed("disconnect_network") { () async throws(DockerError) in
            try await base.disconnectNetwork(id: id, containerID: containerID, force: force)
        }
    }
}
