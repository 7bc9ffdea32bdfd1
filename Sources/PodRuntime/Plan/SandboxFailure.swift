import Foundation

/// Why a pod's infra container (its sandbox) could not be made, and what follows, decided
/// without the engine: the containers wait in `ContainerCreating` with the error as message,
/// an event says why, and the pod is synced again soon.
public struct SandboxFailure: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The pod network is not set up yet (the flannel lease is pending): as kubelet while its
        /// network plugin is not ready, the pod waits quietly.
        case networkNotReady
        /// The engine or the network refused the infra container.
        case creation

        /// kubelet's event reason.
        public var eventReason: String {
            switch self {
            case .networkNotReady: "NetworkNotReady"
            case .creation: "FailedCreatePodSandBox"
            }
        }

        /// Whether it is worth an error in the log (a pending network is expected at boot).
        public var isError: Bool { self == .creation }
    }

    /// How soon the pod is synced again.
    public static let retryDelay: TimeInterval = 2

    public var kind: Kind
    public var message: String
    public var retryAt: Date

    public init(_ kind: Kind, message: String, now: Date) {
        self.kind = kind
        self.message = message
        self.retryAt = now.addingTimeInterval(Self.retryDelay)
    }

    /// The failure an error of the sandbox's creation means.
    public init(error: any Error, now: Date) {
        let pending = (error as? PodNetworkError)?.isPending == true
        self.init(pending ? .networkNotReady : .creation, message: "\(error)", now: now)
    }

    /// What each container to start waits with.
    public var waiting: PodActions.Waiting { .init(reason: "ContainerCreating", message: message) }
}
