/// Where an HTTP peer lives and how to reach it securely.
///
/// The Docker engine listens on a unix socket; the master on `http://host:8080` or an `https://`
/// URL that needs a certificate authority and client credentials from a kubeconfig.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// Base URL requests are resolved against, without a trailing slash (`http://localhost` for
    /// unix sockets: curl ignores the host part there but needs one).
    public var baseURL: String
    /// Path of a unix domain socket to connect through instead of TCP.
    public var unixSocketPath: String?
    /// PEM file of certificate authorities to trust; nil uses the system store.
    public var caFile: String?
    /// PEM client certificate and key for mutual TLS.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// Bearer token sent as `Authorization: Bearer <token>`.
    public var bearerToken: String?
    /// A file holding the bearer token (kubeconfig `tokenFile`), read again whenever it changes
    /// (``BearerTokenFile``), so a rotated token is used without a restart. `bearerToken` wins
    /// when both are set.
    public var bearerTokenFile: String?
    /// Accept any server certificate (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool

    public init(
        baseURL: String, unixSocketPath: String? = nil, caFile: String? = nil,
        clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
        bearerToken: String? = nil, bearerTokenFile: String? = nil, insecureSkipTLSVerify: Bool = false
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.unixSocketPath = unixSocketPath
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.bearerToken = bearerToken
        self.bearerTokenFile = bearerTokenFile
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }

    /// An endpoint for a server on a unix domain socket, such as dockerd's.
    public static func unixSocket(_ path: String) -> HTTPEndpoint {
        HTTPEndpoint(baseURL: "http://localhost", unixSocketPath: path)
    }

    /// The token to send now: `bearerToken`, else the current content of `bearerTokenFile`.
    public var currentBearerToken: String? {
        bearerToken ?? bearerTokenFile.flatMap { BearerTokenFile.shared.token(path: $0) }
    }

    public var description: String {
        if let unixSocketPath { return "unix://\(unixSocketPath)" }
        return baseURL
    }
}
