/// The running containers of the node's pods. The agent's wiring implements it (from
/// ``DockerContainerInventory``, or from its pod manager); tests hand in a fixed list.
public protocol ContainerInventory: Sendable {
    /// Every running container of a pod, infra containers included.
    /// - Throws: when the list cannot be had; the sampler keeps its last samples and logs.
    func runningContainers() async throws -> [StatsContainer]
}
