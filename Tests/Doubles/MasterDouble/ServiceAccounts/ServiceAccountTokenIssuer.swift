import Crypto
import Foundation

/// Mints and checks the double's service account tokens: JWT-shaped (`header.claims.signature`,
/// base64url) with the claims kube-apiserver puts in bound tokens (`iss`, `sub`, `aud`, `exp`,
/// `iat`, `nbf`, `kubernetes.io` with namespace, pod and service account).
///
/// Where it differs from the real system: signed with HMAC-SHA256 under a key made per double
/// (`alg: HS256`) instead of the service account key pair's RS256, since nothing outside the
/// double verifies them; TokenReview is the way to check one, as for the real master.
final class ServiceAccountTokenIssuer: Sendable {
    /// What a token says, once its signature checked out.
    struct Claims: Codable, Sendable, Equatable {
        struct Object: Codable, Sendable, Equatable {
            var name: String
            var uid: String
        }

        struct KubernetesClaims: Codable, Sendable, Equatable {
            var namespace: String
            var pod: Object?
            var serviceaccount: Object
        }

        var aud: [String]
        var exp: Int64
        var iat: Int64
        var nbf: Int64
        var iss: String
        var sub: String
        var kubernetes: KubernetesClaims

        enum CodingKeys: String, CodingKey {
            case aud, exp, iat, nbf, iss, sub
            case kubernetes = "kubernetes.io"
        }
    }

    static let issuer = "https://kubernetes.default.svc.cluster.local"
    private let key = SymmetricKey(size: .bits256)

    func sign(_ claims: Claims) -> String {
        let header = Self.base64URL(Array(#"{"alg":"HS256","kid":"clc-master-double"}"#.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Self.base64URL(Array((try? encoder.encode(claims)) ?? Data()))
        let signingInput = "\(header).\(body)"
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return "\(signingInput).\(Self.base64URL(Array(signature)))"
    }

    /// The claims of a token this double signed, or nil (another signer, tampered, not a JWT).
    /// Expiry and binding are the caller's to check.
    func verify(_ token: String) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Self.decodeBase64URL(String(parts[2])),
            let body = Self.decodeBase64URL(String(parts[1]))
        else { return nil }
        let signingInput = "\(parts[0]).\(parts[1])"
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Array(signingInput.utf8), using: key) else {
            return nil
        }
        return try? JSONDecoder().decode(Claims.self, from: Data(body))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
