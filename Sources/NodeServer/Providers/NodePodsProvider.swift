import KubeAPI

/// The node's pods as `/pods` and `/runningpods/` list them.
public protocol NodePodsProvider: Sendable {
    /// A number that changes whenever the pods or their statuses change. While it stays the same
    /// the server answers with the list it encoded last: encoding 30 pods costs milliseconds,
    /// which 100 concurrent clients would otherwise pay a hundred times over.
    func version() async -> UInt64
    /// The pods bound to this node (desired), each with its last known status: `/pods`.
    func pods() async -> NodePods
    /// The pods that have containers running now: `/runningpods/`.
    func runningPods() async -> NodePods
}

/// Pods as of one ``NodePodsProvider/version()``.
public struct NodePods: Sendable {
    public var version: UInt64
    public var items: [KubeAPI.Pod]

    public init(version: UInt64, items: [KubeAPI.Pod]) {
        self.version = version
        self.items = items
    }
}
