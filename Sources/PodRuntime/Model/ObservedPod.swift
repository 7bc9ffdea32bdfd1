/// Everything the engine holds for one pod UID: infra containers and app containers, newest
/// first within each name.
public struct ObservedPod: Sendable, Hashable {
    public var uid: String
    public var containers: [ObservedContainer]

    public init(uid: String, containers: [ObservedContainer]) {
        self.uid = uid
        self.containers = containers.sorted { $0.createdAt > $1.createdAt }
    }

    /// Infra containers, newest first.
    public var sandboxes: [ObservedContainer] { containers.filter(\.isInfra) }

    /// App container instances of `name`, newest first.
    public func instances(of name: String) -> [ObservedContainer] {
        containers.filter { !$0.isInfra && $0.name == name }
    }

    /// The newest instance of `name`: the one whose state the pod status reports.
    public func latest(_ name: String) -> ObservedContainer? {
        containers.first { !$0.isInfra && $0.name == name }
    }

    public var running: [ObservedContainer] { containers.filter(\.isRunning) }
}
