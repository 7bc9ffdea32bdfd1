import CurlHTTP

/// Why a Docker engine call failed: the operation and object it concerned, and what the engine
/// (or the connection to it) said.
public enum DockerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The engine could not be reached or the exchange broke off.
    case transport(operation: String, HTTPError)
    /// The engine answered with an error status; `message` is its `{"message": ...}`.
    case http(operation: String, status: Int, message: String)
    /// The engine's answer did not decode.
    case decoding(operation: String, message: String)
    /// An error reported inside a streamed answer (pull progress, import).
    case stream(operation: String, message: String)
    /// An exec did not finish within its timeout.
    case execTimedOut(containerID: String, command: [String], after: Duration)

    public var description: String {
        switch self {
        case let .transport(operation, error): "docker \(operation): \(error)"
        case let .http(operation, status, message): "docker \(operation): HTTP \(status): \(message)"
        case let .decoding(operation, message): "docker \(operation): undecodable answer: \(message)"
        case let .stream(operation, message): "docker \(operation): \(message)"
        case let .execTimedOut(id, command, after):
            "docker exec \(command) in \(id.prefix(12)): no exit within \(after)"
        }
    }

    /// The engine said the object does not exist.
    public var isNotFound: Bool {
        if case .http(_, 404, _) = self { return true }
        return false
    }

    /// The engine said the name is already in use.
    public var isConflict: Bool {
        if case .http(_, 409, _) = self { return true }
        return false
    }

    /// The engine refused to remove a network because containers are attached to it.
    public var hasActiveEndpoints: Bool {
        if case let .http(_, status, message) = self, status == 403 || status == 500 {
            return message.contains("active endpoints")
        }
        return false
    }

    /// The engine refused a network whose subnet overlaps another network's (or a route's).
    public var isPoolOverlap: Bool {
        if case let .http(_, _, message) = self { return message.contains("overlaps") }
        return false
    }

    /// The message the engine gave, or the whole description.
    public var message: String {
        switch self {
        case let .http(_, _, message), let .stream(_, message), let .decoding(_, message): message
        default: description
        }
    }
}
