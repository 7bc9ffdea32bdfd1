/// What a request carries that may authenticate it.
public struct RequestCredentials: Sendable, Hashable {
    /// The TLS client certificate chain, DER, leaf first; empty when none was sent.
    public var peerCertificates: [[UInt8]]
    /// The `Authorization` header, if any.
    public var authorization: String?

    public init(peerCertificates: [[UInt8]] = [], authorization: String? = nil) {
        self.peerCertificates = peerCertificates
        self.authorization = authorization
    }
}

/// The outcome of authenticating a request.
public enum AuthenticationOutcome: Sendable, Hashable {
    case authenticated(UserInfo)
    /// 401; `reason` is logged, the client sees `Unauthorized`.
    case refused(reason: String)
}

/// kubelet's authenticator chain: the client certificate (`--client-ca-file`), then the bearer
/// token (`--authentication-token-webhook`); a request that offers neither is anonymous when
/// `--anonymous-auth` allows it. A credential that was offered and failed refuses the request
/// even when anonymous requests are allowed (apiserver's union authenticator wrapped with
/// FailOnError), unless another credential succeeds.
public struct RequestAuthenticator: Sendable {
    public var clientCertificates: ClientCertificateAuthenticator?
    public var tokenReviewer: (any TokenReviewer)?
    public var allowsAnonymous: Bool

    public init(clientCertificates: ClientCertificateAuthenticator?, tokenReviewer: (any TokenReviewer)?, allowsAnonymous: Bool) {
        self.clientCertificates = clientCertificates
        self.tokenReviewer = tokenReviewer
        self.allowsAnonymous = allowsAnonymous
    }

    public func authenticate(_ credentials: RequestCredentials) async -> AuthenticationOutcome {
        var failures: [String] = []
        if !credentials.peerCertificates.isEmpty {
            if let clientCertificates {
                switch await clientCertificates.authenticate(chain: credentials.peerCertificates) {
                case .success(let user): return .authenticated(user.addingAuthenticatedGroup())
                case .failure(let refusal): failures.append(refusal.reason)
                }
            }
        }
        if let token = Self.bearerToken(credentials.authorization) {
            if let tokenReviewer {
                do {
                    switch try await tokenReviewer.review(token: token) {
                    case .authenticated(let user): return .authenticated(user.addingAuthenticatedGroup())
                    case .unauthenticated(let reason): failures.append("bearer token: \(reason)")
                    }
                } catch {
                    failures.append("bearer token: review failed: \(error)")
                }
            }
        }
        if !failures.isEmpty { return .refused(reason: failures.joined(separator: "; ")) }
        if allowsAnonymous { return .authenticated(.anonymous) }
        return .refused(reason: "no client certificate or bearer token, and anonymous requests are not allowed (--anonymous-auth=false)")
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive, as Go's bearertoken
    /// authenticator reads it).
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}
