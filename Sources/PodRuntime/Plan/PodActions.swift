import Foundation

/// What one sync of a pod must do, decided from the desired pod and the observed containers.
/// The executor carries it out in order: kill, create the infra container, start containers,
/// remove dead ones.
public struct PodActions: Sendable, Hashable {
    /// A container to (re)start and the restart count it will carry.
    public struct Start: Sendable, Hashable {
        public var index: Int
        public var name: String
        public var restartCount: Int
        /// The crash-loop back-off to step when this start happens, and the FinishedAt of the
        /// newest exited instance it counts from; nil when there is none (no step, as kubelet).
        public var backOffKey: String?
        public var failedAt: Date?
    }

    /// A running container to stop, and why (for the Killing event).
    public struct Kill: Sendable, Hashable {
        public var containerID: String
        public var name: String
        public var reason: String
    }

    /// Why a container is not running and will not be started in this sync.
    public struct Waiting: Sendable, Hashable {
        public var reason: String
        public var message: String
    }

    /// Stop every container of the pod, the infra container last.
    public var killPod = false
    public var killPodReason = ""
    public var createSandbox = false
    /// The attempt number of the infra container to create.
    public var sandboxAttempt = 0
    /// The running infra container app containers join.
    public var sandboxID: String?
    public var containersToStart: [Start] = []
    public var containersToKill: [Kill] = []
    public var waiting: [String: Waiting] = [:]
    /// Dead containers to remove: all but the newest per container name.
    public var containersToRemove: [String] = []
    /// The earliest time a back-off ends, when the pod needs a sync then.
    public var nextSync: Date?

    public init() {}

    /// True when the sync changes nothing in the engine.
    public var isEmpty: Bool {
        !killPod && !createSandbox && containersToStart.isEmpty && containersToKill.isEmpty && containersToRemove.isEmpty
    }
}
