/// Hooks the node runs right after a container starts and right before it is stopped.
public struct Lifecycle: Sendable, Hashable, Codable {
    /// Runs after the container starts; the container is not running until it completes.
    public var postStart: LifecycleHandler?
    /// Runs before the stop signal, inside the grace period.
    public var preStop: LifecycleHandler?

    public init(postStart: LifecycleHandler? = nil, preStop: LifecycleHandler? = nil) {
        self.postStart = postStart
        self.preStop = preStop
    }
}
