/// A container's state; at most one of the three is set (none means waiting, by convention).
public struct ContainerState: Sendable, Hashable, Codable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(
        waiting: ContainerStateWaiting? = nil,
        running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

/// Not yet running: `ContainerCreating`, `CrashLoopBackOff`, `ErrImagePull`, ...
public struct ContainerStateWaiting: Sendable, Hashable, Codable {
    public var reason: String?
    public var message: String?

    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

/// Running since `startedAt` (RFC 3339).
public struct ContainerStateRunning: Sendable, Hashable, Codable {
    public var startedAt: String?

    public init(startedAt: String? = nil) {
        self.startedAt = startedAt
    }
}

/// Exited: `Completed`, `Error`, `OOMKilled`, `ContainerCannotRun`.
public struct ContainerStateTerminated: Sendable, Hashable, Codable {
    public var exitCode: Int32
    public var signal: Int32?
    public var reason: String?
    public var message: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var containerID: String?

    public init(
        exitCode: Int32,
        signal: Int32? = nil,
        reason: String? = nil,
        message: String? = nil,
        startedAt: String? = nil,
        finishedAt: String? = nil,
        containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}
