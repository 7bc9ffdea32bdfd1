import CurlHTTP
import KubeAPI

/// Why a request to the master failed: which request, and what the master (or the connection)
/// said.
public enum MasterError: Error, Sendable, CustomStringConvertible {
    case transport(request: String, HTTPError)
    /// The master answered with an error status; `status` is its Status object when it sent one.
    case status(request: String, code: Int, reason: String, message: String)
    case decoding(request: String, message: String)
    /// The master's TLS certificate is not signed by the certificate authority the agent
    /// trusts (kubeconfig `certificate-authority`, or the system's store without one), or does
    /// not name the server's address.
    case untrustedMaster(request: String, certificateAuthority: String?, message: String)
    /// 401: the master knows none of the credentials sent (no client certificate of its CA, no
    /// valid bearer token).
    case unauthorized(request: String, message: String)

    public var description: String {
        switch self {
        case let .transport(request, error): "\(request): \(error)"
        case let .status(request, code, reason, message): "\(request): HTTP \(code) \(reason): \(message)"
        case let .decoding(request, message): "\(request): undecodable answer: \(message)"
        case let .untrustedMaster(request, authority, message):
            "\(request): the master's certificate is not trusted by "
                + "\(authority.map { "the certificate authority \($0)" } ?? "the system's certificate authorities"): \(message)"
        case let .unauthorized(request, message):
            "\(request): HTTP 401 Unauthorized: the master accepts none of the agent's credentials "
                + "(client certificate, bearer token): \(message)"
        }
    }

    public var code: Int? {
        if case let .status(_, code, _, _) = self { return code }
        if case .unauthorized = self { return 401 }
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
        case .decoding, .untrustedMaster, .unauthorized: false
        }
    }
}

extension MasterClient {
    /// A transport failure, named when it is the master's certificate that failed verification
    /// (curl's CURLE_PEER_FAILED_VERIFICATION, 60).
    static func transportError(_ label: String, _ error: HTTPError, endpoint: HTTPEndpoint) -> MasterError {
        if case let .transport(_, code, message) = error, code == 60 {
            return .untrustedMaster(request: label, certificateAuthority: endpoint.caFile, message: message)
        }
        return .transport(request: label, error)
    }
}
