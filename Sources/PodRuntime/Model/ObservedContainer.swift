import DockerEngine
import Foundation
import KubeAPI

/// A container of a pod as the engine reports it, reduced to what sync decisions need.
public struct ObservedContainer: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Created but never ran (a failed start leaves this).
        case created
        case running
        case exited
    }

    public var id: String
    /// The container's name in the pod spec, or `POD` for the infra container.
    public var name: String
    public var podUID: String
    public var isInfra: Bool
    public var state: State
    public var restartCount: Int
    public var specHash: String?
    public var exitCode: Int
    public var oomKilled: Bool
    /// Why the engine could not run it, when it could not.
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The image as the pod spec named it.
    public var image: String
    public var imageID: String
    public var ipAddress: String?
    public var terminationGracePeriodSeconds: Int64?
    /// For an infra container, the network it was created on.
    public var network: SandboxNetwork
    /// The pod's name and namespace from the container's labels: what names a pod whose spec
    /// is gone (removed from its source) in the log while its containers are stopped.
    public var podName: String?
    public var podNamespace: String?
    /// When the agent first saw it stopped, on its steady clock (``SteadyClock``): what the
    /// crash-loop back-off counts from. Nil until the syncer has seen it so.
    public var stopSeenAt: Date?
    /// When the agent first saw it running, on its steady clock.
    public var runSeenAt: Date?

    public init(
        id: String, name: String, podUID: String, isInfra: Bool = false, state: State, restartCount: Int = 0,
        specHash: String? = nil, exitCode: Int = 0, oomKilled: Bool = false, error: String? = nil,
        createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, image: String = "",
        imageID: String = "", ipAddress: String? = nil, terminationGracePeriodSeconds: Int64? = nil,
        network: SandboxNetwork = .defaultBridge
    ) {
        self.id = id
        self.name = name
        self.podUID = podUID
        self.isInfra = isInfra
        self.state = state
        self.restartCount = restartCount
        self.specHash = specHash
        self.exitCode = exitCode
        self.oomKilled = oomKilled
        self.error = error
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.image = image
        self.imageID = imageID
        self.ipAddress = ipAddress
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.network = network
    }

    public var isRunning: Bool { state == .running }

    /// How long it has run at `now` (steady clock), for probes' initial delays: never more than
    /// since the agent saw it running, so a step of the wall clock (which moves the engine's
    /// `startedAt`) cannot make a container that just started look old and skip the delay.
    public func runningFor(now: Date) -> Duration {
        let byEngine = startedAt.map { now.timeIntervalSince($0) } ?? 0
        let bySight = runSeenAt.map { now.timeIntervalSince($0) } ?? byEngine
        return Duration(interval: max(0, min(byEngine, bySight)))
    }

    /// When it stopped, for back-off: when the agent saw it stopped, else the engine's time (a
    /// container that never ran counts from its creation). The engine's times are wall-clock
    /// times, so after a step of the system clock they lie an hour off the agent's steady
    /// clock; the agent sees a container die within a sync of its death (the engine's events
    /// wake the pod), so the time it saw it is the one that keeps the back-off's length.
    public var stoppedAt: Date { stopSeenAt ?? finishedAt ?? createdAt }
}

extension ObservedContainer {
    /// Reads an inspected container; nil when it carries none of our pod labels.
    public init?(_ inspect: ContainerInspect) {
        let labels = inspect.labels
        guard let uid = labels[ContainerLabels.podUID], let name = labels[ContainerLabels.containerName] else { return nil }
        let network = labels[ContainerLabels.network].map { SandboxNetwork(name: $0, id: labels[ContainerLabels.networkID]) } ?? .defaultBridge
        let state: State =
            switch inspect.state.status {
            case "running", "paused", "restarting": .running
            case "created": inspect.state.exitCode != 0 || !(inspect.state.error ?? "").isEmpty ? .exited : .created
            default: .exited
            }
        self.init(
            id: inspect.id, name: name, podUID: uid,
            isInfra: labels[ContainerLabels.dockerType] == ContainerLabels.sandboxType,
            state: state,
            restartCount: Int(labels[ContainerLabels.restartCount] ?? "") ?? 0,
            specHash: labels[ContainerLabels.containerHash],
            exitCode: inspect.state.exitCode,
            oomKilled: inspect.state.oomKilled,
            error: (inspect.state.error ?? "").isEmpty ? nil : inspect.state.error,
            createdAt: DockerTime.parse(inspect.created) ?? Date(timeIntervalSince1970: 0),
            startedAt: DockerTime.parse(inspect.state.startedAt),
            finishedAt: DockerTime.parse(inspect.state.finishedAt),
            image: labels[ContainerLabels.specImage] ?? inspect.config.image,
            imageID: inspect.image,
            ipAddress: network.isHost ? labels[ContainerLabels.podIP] : inspect.ipAddress(onNetwork: network.name),
            terminationGracePeriodSeconds: Int64(labels[ContainerLabels.terminationGracePeriod] ?? ""),
            network: network)
        podName = labels[ContainerLabels.podName]
        podNamespace = labels[ContainerLabels.podNamespace]
    }
}

/// Docker's timestamps: RFC 3339 with nanoseconds; the zero time means "never".
enum DockerTime {
    static func parse(_ text: String) -> Date? {
        guard !text.hasPrefix("0001-01-01") else { return nil }
        return KubeTime.parse(text)
    }
}
