import Crypto
import Foundation
import Glibc
import SwiftASN1
import X509

/// The double's own CA, as a cluster's (`/etc/kubernetes/pki/ca.crt`): it signs the serving
/// certificate of the HTTPS front and the client certificates tests give agents. ECDSA P-256
/// keys, valid from an hour ago for a day.
public struct MasterCertificateAuthority: Sendable {
    /// A certificate and its private key, PEM.
    public struct Pair: Sendable, Hashable {
        public var certificatePEM: String
        public var privateKeyPEM: String
    }

    private let key: P256.Signing.PrivateKey
    private let certificate: Certificate
    /// The CA certificate, PEM: what `certificate-authority(-data)` of a kubeconfig holds.
    public let certificatePEM: String

    /// A new CA named `commonName`.
    ///
    /// - Throws: when the certificate cannot be built (it should not).
    public init(commonName: String = "clc-master-double-ca") throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(24 * 3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            },
            issuerPrivateKey: .init(key))
        self.key = key
        certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
    }

    /// A serving certificate for the master's names and addresses (`kube-apiserver.crt`).
    ///
    /// - Parameters:
    ///   - hostnames: DNS names (the first is the subject's CN).
    ///   - addresses: IPv4 addresses, written as IP SANs.
    public func servingCertificate(hostnames: [String], addresses: [String]) throws -> Pair {
        var names: [GeneralName] = hostnames.map { .dnsName($0) }
        for address in addresses {
            var bytes = in_addr()
            guard inet_pton(AF_INET, address, &bytes) == 1 else { continue }
            names.append(.ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &bytes) { Array($0) }[...])))
        }
        return try issue(
            subject: DistinguishedName { CommonName(hostnames.first ?? addresses.first ?? "kube-apiserver") },
            usage: .serverAuth, alternativeNames: names)
    }

    /// A client certificate for a user, as kubeadm makes `kubelet-client` certificates: the
    /// user in the subject's CN, its groups in O (`system:node:<name>` in `system:nodes`).
    public func clientCertificate(user: String, groups: [String] = []) throws -> Pair {
        let subject = try DistinguishedName {
            for group in groups { OrganizationName(group) }
            CommonName(user)
        }
        return try issue(subject: subject, usage: .clientAuth, alternativeNames: [])
    }

    private func issue(subject: DistinguishedName, usage: ExtendedKeyUsage.Usage, alternativeNames: [GeneralName]) throws -> Pair {
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(24 * 3600),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([usage])
                Critical(BasicConstraints.notCertificateAuthority)
                if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
            },
            issuerPrivateKey: .init(key))
        return Pair(certificatePEM: try leaf.serializeAsPEM().pemString + "\n", privateKeyPEM: leafKey.pemRepresentation + "\n")
    }
}
