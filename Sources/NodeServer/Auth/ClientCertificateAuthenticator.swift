import Foundation
import SwiftASN1
import X509

/// Authenticates a client certificate against `--client-ca-file`, as the apiserver's x509
/// authenticator does: the chain must lead to one of the CAs and be valid now; the user is the
/// subject's common name, the groups its organizations.
public struct ClientCertificateAuthenticator: Sendable {
    private let roots: [Certificate]

    /// - Parameter roots: the trusted client CAs. Certificates are checked against the current
    ///   time.
    public init(roots: [Certificate]) {
        self.roots = roots
    }

    /// Loads the CAs from a PEM bundle file (`--client-ca-file`).
    /// - Throws: ``NodeServerError/certificateFile(path:reason:)`` when the file cannot be read,
    ///   or holds no certificate.
    public init(caFile path: String) throws(NodeServerError) {
        let roots = try PEMFiles.certificates(path: path)
        self.init(roots: roots)
    }

    /// - Parameter chain: DER certificates as the client sent them, leaf first.
    /// - Returns: the user, or why the certificate does not authenticate.
    public func authenticate(chain: [[UInt8]]) async -> Result<UserInfo, CertificateRefusal> {
        guard let leafDER = chain.first else { return .failure(.init(reason: "no certificate")) }
        let leaf: Certificate
        var intermediates: [Certificate] = []
        do {
            leaf = try Certificate(derEncoded: leafDER)
            for der in chain.dropFirst() { intermediates.append(try Certificate(derEncoded: der)) }
        } catch {
            return .failure(.init(reason: "unparseable client certificate: \(error)"))
        }
        let subject = leaf.subject
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy()
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
        case .validCertificate:
            break
        case .couldNotValidate(let failures):
            let reasons = Set(failures.map { "\($0.policyFailureReason)" }).sorted()
            let why = reasons.isEmpty ? "signed by an unknown authority" : reasons.joined(separator: "; ")
            return .failure(.init(reason: "verifying certificate of \"\(Self.commonName(subject) ?? "")\" failed: \(why)"))
        }
        guard let user = Self.commonName(subject), !user.isEmpty else {
            return .failure(.init(reason: "client certificate has no subject common name"))
        }
        return .success(UserInfo(name: user, groups: Self.values(subject, .RDNAttributeType.organizationName)))
    }

    static func commonName(_ name: DistinguishedName) -> String? {
        values(name, .RDNAttributeType.commonName).first
    }

    static func values(_ name: DistinguishedName, _ type: ASN1ObjectIdentifier) -> [String] {
        name.flatMap { rdn in rdn.filter { $0.type == type }.map { "\($0.value)" } }
    }
}

/// Why a client certificate was refused.
public struct CertificateRefusal: Error, Sendable, Hashable {
    public var reason: String
}
