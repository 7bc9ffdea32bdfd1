import KubeAPI

/// The node's pods as `/pods` and `/runningpods/` list them.
public protocol NodePodsProvider: Sendable {
    /// The pods bound to this node (desired), each with its last known status: `/pods`.
    func pods() async -> [KubeAPI.Pod]
    /// The pods that have containers running now: `/runningpods/`.
    func runningPods() async -> [KubeAPI.Pod]
}
