import DockerEngine

/// Why a registry could not be reached, read from the Docker engine's error text. The engine
/// reports a failed pull as the text of the Go error it met (`Get "https://registry-1.docker.io/v2/":
/// dial tcp: lookup registry-1.docker.io on 10.53.53.53:53: read udp ...: i/o timeout`), so the
/// text is all there is to tell a registry that cannot be reached from one that answered "no":
/// only the first lets a node fall back to an image it already has.
public enum ImagePullFailure: String, Sendable, Hashable, CustomStringConvertible {
    /// No DNS answer came in time (a server that drops queries, no route to it).
    case nameResolutionTimedOut = "name resolution timed out"
    /// The DNS answered that the name does not exist, or failed (SERVFAIL).
    case nameNotResolved = "name resolution failed"
    case connectionRefused = "connection refused"
    /// The TCP connection (or the wait for the first answer) timed out.
    case connectionTimedOut = "connection timed out"
    /// No route to the registry's address.
    case networkUnreachable = "network unreachable"
    /// The TCP connection was made but TLS never completed.
    case tlsHandshakeTimedOut = "TLS handshake timed out"
    case connectionReset = "connection reset"

    public var description: String { rawValue }

    /// Classifies the engine's message; nil when the registry answered (denied, not found,
    /// manifest unknown) or the failure is not about reaching it. Order matters: a name lookup
    /// that times out also says "i/o timeout".
    public init?(engineMessage: String) {
        let text = engineMessage.lowercased()
        func has(_ marker: String) -> Bool { text.contains(marker) }
        if has("lookup "), has("timeout") {
            self = .nameResolutionTimedOut
        } else if has("no such host") || has("server misbehaving") || has("temporary failure in name resolution") {
            self = .nameNotResolved
        } else if has("tls handshake timeout") {
            self = .tlsHandshakeTimedOut
        } else if has("connection refused") {
            self = .connectionRefused
        } else if has("no route to host") || has("network is unreachable") {
            self = .networkUnreachable
        } else if has("i/o timeout") || has("connection timed out") || has("client.timeout exceeded")
            || has("context deadline exceeded")
        {
            self = .connectionTimedOut
        } else if has("connection reset") {
            self = .connectionReset
        } else {
            return nil
        }
    }

    /// The reason `error` says the registry could not be reached, if it says so.
    public init?(_ error: DockerError) {
        // A transport error is about the engine's own socket, not the registry.
        if case .transport = error { return nil }
        self.init(engineMessage: error.message)
    }
}
