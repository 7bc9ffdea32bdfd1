import Foundation

/// Why a container did not start in a sync: the waiting reason kubelet reports for it, and when
/// the syncer tries again. One place decides both from the kind of failure, so the syncer only
/// says what happened.
public struct StartFailure: Sendable, Hashable {
    public enum Kind: Sendable, Hashable, CaseIterable {
        /// The spec, its environment's objects or the image's user (runAsNonRoot) refuse it.
        case invalidConfiguration
        /// The engine could not say whether the image is present.
        case imageInspection
        /// Pull policy Never and no image.
        case imageNeverPulled
        /// A pull failed just now.
        case imagePull
        /// An earlier pull failed and its back-off runs.
        case imagePullBackOff
        /// The engine refused to create the container.
        case creation
        /// The engine refused to start it.
        case start
        /// Its postStart hook failed and it was stopped.
        case postStartHook

        /// kubelet's waiting reason.
        public var reason: String {
            switch self {
            case .invalidConfiguration: "CreateContainerConfigError"
            case .imageInspection, .imagePull: "ErrImagePull"
            case .imageNeverPulled: "ErrImageNeverPull"
            case .imagePullBackOff: "ImagePullBackOff"
            case .creation: "CreateContainerError"
            case .start: "RunContainerError"
            case .postStartHook: "PostStartHookError"
            }
        }

        /// How soon to try again when the failure brings no time of its own: soon after the
        /// engine refused to start it or its hook failed (the crash-loop back-off, stepped by
        /// then, decides the real restart), later after a refusal that needs a change first.
        var retryDelay: TimeInterval {
            switch self {
            case .start, .postStartHook, .imagePull: 1
            case .invalidConfiguration, .imageInspection, .imageNeverPulled, .imagePullBackOff, .creation: 10
            }
        }

        /// Whether the image pull back-off, not the syncer, holds the container back: the
        /// syncer must then ask it in every sync, which is how ImagePullBackOff is reported.
        var isImage: Bool {
            switch self {
            case .imageInspection, .imageNeverPulled, .imagePull, .imagePullBackOff: true
            case .invalidConfiguration, .creation, .start, .postStartHook: false
            }
        }
    }

    public var kind: Kind
    public var message: String
    /// When to sync again for this container.
    public var retryAt: Date

    /// - Parameter retryAt: nil for the kind's own delay after `now`.
    public init(_ kind: Kind, message: String, now: Date, retryAt: Date? = nil) {
        self.kind = kind
        self.message = message
        self.retryAt = retryAt ?? now.addingTimeInterval(kind.retryDelay)
    }

    public var waiting: PodActions.Waiting { .init(reason: kind.reason, message: message) }

    /// Until when the syncer itself must not try this container again; nil when an image
    /// back-off keeps the time instead.
    public var holdsUntil: Date? { kind.isImage ? nil : retryAt }
}
