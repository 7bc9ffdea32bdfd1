import Foundation
import KubeAPI

/// The image pull policy as kubelet applies it (its image manager), decided without touching the
/// engine: whether a container uses the image on the node, pulls first, or waits, and what a
/// pull's result means. The syncer asks the engine and the puller, records the events named
/// here and keeps the pull back-off; it decides nothing about images itself.
public enum ImagePolicy {
    /// What to do before a container starts.
    public enum Decision: Sendable, Hashable {
        /// Start it with the image on the node.
        case use
        /// Pull the image, then see `outcome(of:)`.
        case pull
        /// The registry host did not answer a moment ago: asking again would only wait out its
        /// time-out again, so take the failure it gave (`outcome(of:)` with `.unreachable`).
        case registryDown(RegistryOutages.Outage)
        /// Wait, with this failure; `event` is the warning to record for it, if any.
        case wait(StartFailure, event: Event?)
    }

    /// An event the decision asks for (the pod's `involvedObject` is the syncer's to fill in).
    public struct Event: Sendable, Hashable {
        public var warning: Bool
        public var reason: String
        public var message: String
    }

    /// What a pull's result means for the container.
    public enum Outcome: Sendable, Hashable {
        /// Start it; record `event`.
        case use(event: Event)
        /// The pull failed: step the back-off, record `event`, wait with `failure`.
        case failed(StartFailure, event: Event)
    }

    /// - Parameters:
    ///   - present: whether the engine has the image.
    ///   - backOffUntil: when the back-off of this pod's last failed pull of the image ends, if
    ///     it still runs.
    ///   - outage: the registry host's outage the puller remembers, if any.
    public static func decide(
        image: String, policy: PullPolicy?, present: Bool, backOffUntil: Date?, outage: RegistryOutages.Outage?, now: Date
    ) -> Decision {
        switch policy ?? .ifNotPresent {
        case .never:
            if present { return .use }
            let message = "Container image \"\(image)\" is not present with pull policy of Never"
            return .wait(
                StartFailure(.imageNeverPulled, message: message, now: now),
                event: Event(warning: true, reason: "ErrImageNeverPull", message: message))
        case .ifNotPresent where present:
            return .use
        default:
            if let backOffUntil {
                let failure = StartFailure(
                    .imagePullBackOff, message: "Back-off pulling image \"\(image)\"", now: now, retryAt: backOffUntil)
                return .wait(failure, event: nil)
            }
            if let outage { return .registryDown(outage) }
            return .pull
        }
    }

    /// - Parameter present: whether the engine had the image before the pull.
    public static func outcome(of result: ImagePuller.Result, image: String, present: Bool, now: Date) -> Outcome {
        let message: String
        switch result {
        case .pulled:
            return .use(event: Event(warning: false, reason: "Pulled", message: "Successfully pulled image \"\(image)\""))
        case .unreachable(let outage, _) where present:
            // Deliberately kinder than kubelet: a node cut off from its registry keeps serving
            // with the image it has. The message stays the same for the whole outage window, so
            // the recorder counts repeats instead of posting new events.
            return .use(
                event: Event(
                    warning: true, reason: "PullFallbackToLocal",
                    message: "Image \"\(image)\" not pulled: \(outage); using the image present on the node"))
        case .unreachable(let outage, _):
            message = "Failed to pull image \"\(image)\": \(outage)"
        case .failed(let error):
            message = "Failed to pull image \"\(image)\": \(error.message)"
        }
        // Sync again soon to report ImagePullBackOff while the back-off runs, as kubelet does.
        return .failed(StartFailure(.imagePull, message: message, now: now), event: Event(warning: true, reason: "Failed", message: message))
    }
}
