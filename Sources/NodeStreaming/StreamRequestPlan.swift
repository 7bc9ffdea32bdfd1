import DockerEngine
import Foundation

/// What an `/exec`, `/attach` or `/portForward` request asks for, parsed and validated from
/// its path and query as kubelet does (pkg/kubelet/server/server.go,
/// cri/streaming/remotecommand/options.go).
public enum StreamRequestPlan: Sendable, Hashable {
    case exec(PodContainerName, command: [String], streams: StreamFlags)
    case attach(PodContainerName, streams: StreamFlags)
    /// `ports` from the query; SPDY clients may leave it empty and name ports per stream.
    case portForward(namespace: String, pod: String, uid: String?, ports: [UInt16])

    /// - Throws: ``StreamRequestError`` (answered 400, or 404 for an unknown path).
    public static func parse(path: String, query: [String: [String]]) throws(StreamRequestError) -> StreamRequestPlan {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let kind = segments.first else { throw .unknownPath(path) }
        switch kind {
        case "exec", "attach":
            let name: PodContainerName
            switch segments.count {
            case 4: name = PodContainerName(namespace: segments[1], pod: segments[2], uid: nil, container: segments[3])
            case 5: name = PodContainerName(namespace: segments[1], pod: segments[2], uid: segments[3], container: segments[4])
            default: throw .unknownPath(path)
            }
            var streams = StreamFlags(
                stdin: flag(query, "stdin"), stdout: flag(query, "stdout"), stderr: flag(query, "stderr"), tty: flag(query, "tty"))
            guard streams.stdin || streams.stdout || streams.stderr else { throw .noStreams }
            // A terminal merges stderr into stdout (kubelet: "tty + stderr drops stderr").
            if streams.tty { streams.stderr = false }
            if kind == "attach" { return .attach(name, streams: streams) }
            let command = query["command"] ?? []
            guard !command.isEmpty else { throw .missingCommand }
            return .exec(name, command: command, streams: streams)
        case "portForward":
            guard segments.count == 3 || segments.count == 4 else { throw .unknownPath(path) }
            var ports: [UInt16] = []
            for value in query["port"] ?? [] {
                for text in value.split(separator: ",") {
                    let trimmed = text.trimmingCharacters(in: .whitespaces)
                    guard let port = UInt16(trimmed), port > 0 else { throw .invalidPort(String(trimmed)) }
                    ports.append(port)
                }
            }
            // WebSocket gives each port two one-byte channel numbers.
            guard ports.count <= 127 else { throw .tooManyPorts(ports.count) }
            return .portForward(
                namespace: segments[1], pod: segments[2], uid: segments.count == 4 ? segments[3] : nil, ports: ports)
        default:
            throw .unknownPath(path)
        }
    }

    /// kubelet compares with "1"; the apiserver sends "1". "true" is accepted for curl users.
    private static func flag(_ query: [String: [String]], _ name: String) -> Bool {
        guard let value = query[name]?.first else { return false }
        return value == "1" || value.lowercased() == "true"
    }
}

/// The pod and container of an exec or attach.
public struct PodContainerName: Sendable, Hashable {
    public var namespace: String
    public var pod: String
    public var uid: String?
    public var container: String

    public init(namespace: String, pod: String, uid: String?, container: String) {
        self.namespace = namespace
        self.pod = pod
        self.uid = uid
        self.container = container
    }
}

/// Which streams an exec or attach asked for: the same four flags the engine attaches.
public typealias StreamFlags = ContainerStreamOptions

/// A request refused before any upgrade.
public enum StreamRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownPath(String)
    case noStreams
    case missingCommand
    case invalidPort(String)
    case missingPorts
    case tooManyPorts(Int)
    case unsupportedProtocol(offered: [String], supported: [String])

    public var description: String {
        switch self {
        case .unknownPath(let path): "no streaming endpoint at \(path)"
        case .noStreams: "you must specify at least 1 of stdin, stdout, stderr"
        case .missingCommand: "query parameter \"command\" is required for exec"
        case .invalidPort(let text): "invalid port \"\(text)\" in query parameter \"port\": must be 1-65535"
        case .missingPorts: "query parameter \"port\" is required"
        case .tooManyPorts(let count): "\(count) ports in query parameter \"port\": at most 127"
        case let .unsupportedProtocol(offered, supported):
            "requested protocol(s) \(offered) are not supported; supported: \(supported)"
        }
    }

    public var status: Int {
        if case .unknownPath = self { return 404 }
        return 400
    }
}
