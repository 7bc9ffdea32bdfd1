import CurlHTTP
import KubeAPI

/// Why a request to the master failed: which request, and what the master (or the connection)
/// said.
public enum MasterError: Error, Sendable, CustomStringConvertible {
    case transport(request: String, HTTPError)
    /// The master answered with an error status; `status` is its Status object when it sent one.
    case status(request: String, code: Int, reason: String, message: String)
    case decoding(request: String, message: String)

    public var description: String {
        switch self {
        case let .transport(request, error): "\(request): \(error)"
        case let .status(request, code, reason, message): "\(request): HTTP \(code) \(reason): \(message)"
        case let .decoding(request, message): "\(request): undecodable answer: \(message)"
        }
    }

    public var code: Int? {
        if case let .status(_, code, _, _) = self { return code }
        return nil
    }

    public var isNotFound: Bool { code == 404 }
    public var isConflict: Bool { code == 409 }
    public var isGone: Bool { code == 410 }

    /// Worth retrying: the master could not be reached, was overloaded or failed inside.
    public var isRetryable: Bool {
        switch self {
        // The same answer would be too long again.
        case .transport(_, .bodyTooLarge): false
        case .transport: true
        case let .status(_, code, _, _): code == 429 || code >= 500
        case .decoding: false
        }
    }
}
