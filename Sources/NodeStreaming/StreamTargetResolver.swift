/// Finds the Docker containers behind a request's pod and container names; the agent answers
/// from its pod manager.
public protocol StreamTargetResolver: Sendable {
    /// The running container `container` of pod `namespace/pod`.
    /// - Parameter uid: the pod UID the path named, if any; a different pod of that name is
    ///   not found.
    /// - Throws: ``StreamTargetError``.
    func container(namespace: String, pod: String, uid: String?, container: String) async throws(StreamTargetError)
        -> StreamContainer

    /// The infra (sandbox) container of pod `namespace/pod`, whose network namespace
    /// port-forward dials into.
    /// - Throws: ``StreamTargetError``.
    func podSandbox(namespace: String, pod: String, uid: String?) async throws(StreamTargetError) -> StreamPodSandbox
}

/// An app container a session streams into.
public struct StreamContainer: Sendable, Hashable {
    /// The Docker container ID.
    public var containerID: String
    /// The pod's UID, for messages.
    public var podUID: String
    /// The container spec's `stdin` and `tty`: attach uses the engine's raw stream when the
    /// container has a terminal.
    public var stdin: Bool
    public var tty: Bool

    public init(containerID: String, podUID: String, stdin: Bool, tty: Bool) {
        self.containerID = containerID
        self.podUID = podUID
        self.stdin = stdin
        self.tty = tty
    }
}

/// A pod's infra container.
public struct StreamPodSandbox: Sendable, Hashable {
    public var containerID: String
    public var podUID: String
    /// The infra container's main process (its network namespace is the pod's); 0 when not
    /// running.
    public var pid: Int

    public init(containerID: String, podUID: String, pid: Int) {
        self.containerID = containerID
        self.podUID = podUID
        self.pid = pid
    }
}

/// Why a request's target does not exist; each case answers 404 with a message naming it.
public enum StreamTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    case podNotFound(namespace: String, pod: String)
    case containerNotFound(namespace: String, pod: String, container: String)
    /// The container exists but does not run (exited, not yet started).
    case containerNotRunning(namespace: String, pod: String, container: String)
    /// The pod has no running infra container (port-forward).
    case sandboxNotRunning(namespace: String, pod: String)

    public var description: String {
        switch self {
        case let .podNotFound(namespace, pod): "pod \(namespace)/\(pod) not found"
        case let .containerNotFound(namespace, pod, container): "container \"\(container)\" not found in pod \(namespace)/\(pod)"
        case let .containerNotRunning(namespace, pod, container):
            "container \"\(container)\" of pod \(namespace)/\(pod) is not running"
        case let .sandboxNotRunning(namespace, pod): "pod \(namespace)/\(pod) has no running infra container"
        }
    }

    /// The HTTP status the request is refused with.
    public var status: Int {
        switch self {
        case .podNotFound, .containerNotFound: 404
        case .containerNotRunning, .sandboxNotRunning: 400
        }
    }
}
