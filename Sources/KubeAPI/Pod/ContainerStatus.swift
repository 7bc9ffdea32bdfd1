/// What the node reports about one container of a pod.
///
/// `ready`, `restartCount`, `image` and `imageID` are required by the API; they decode with
/// defaults (false, 0, "") when absent so that partial statuses from old servers still decode.
public struct ContainerStatus: Sendable, Hashable, Codable {
    public var name: String
    public var state: ContainerState?
    /// The previous termination, for `kubectl describe` and crash-loop reasoning.
    public var lastState: ContainerState?
    public var ready: Bool
    public var restartCount: Int32
    public var image: String
    public var imageID: String
    /// `docker://<id>`.
    public var containerID: String?
    public var started: Bool?

    public init(
        name: String,
        state: ContainerState? = nil,
        lastState: ContainerState? = nil,
        ready: Bool = false,
        restartCount: Int32 = 0,
        image: String = "",
        imageID: String = "",
        containerID: String? = nil,
        started: Bool? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        state = try container.decodeIfPresent(ContainerState.self, forKey: .state)
        lastState = try container.decodeIfPresent(ContainerState.self, forKey: .lastState)
        ready = try container.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        restartCount = try container.decodeIfPresent(Int32.self, forKey: .restartCount) ?? 0
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        imageID = try container.decodeIfPresent(String.self, forKey: .imageID) ?? ""
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
        started = try container.decodeIfPresent(Bool.self, forKey: .started)
    }
}
