import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates made for one test run: a client CA and client certificates signed by it (valid,
/// expired), a certificate from another CA, and a serving certificate, all P-256 (fast), written
/// as PEM files into a temporary directory for the clients and the server.
struct TestCertificates: Sendable {
    struct Identity: Sendable {
        var certificate: Certificate
        var key: P256.Signing.PrivateKey
        var certificateFile: String
        var keyFile: String
        var certificatePEM: String
        var keyPEM: String
    }

    let directory: String
    let clientCA: Identity
    let otherCA: Identity
    let client: Identity
    let expiredClient: Identity
    let foreignClient: Identity
    let serving: Identity

    /// Made once per test process (key generation is cheap, but a shared directory keeps the
    /// server fixtures simple).
    static let shared: TestCertificates = try! TestCertificates()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("clc-nodeserver-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = Date()
        clientCA = try Self.authority(name: "test-client-ca", now: now, directory: directory)
        otherCA = try Self.authority(name: "other-ca", now: now, directory: directory)
        client = try Self.leaf(
            commonName: "system:kube-apiserver", organizations: ["system:masters", "ops"], issuer: clientCA, notBefore: now - 60,
            notAfter: now + 3600, directory: directory, file: "client")
        expiredClient = try Self.leaf(
            commonName: "expired-user", organizations: [], issuer: clientCA, notBefore: now - 7200, notAfter: now - 3600,
            directory: directory, file: "expired")
        foreignClient = try Self.leaf(
            commonName: "foreign-user", organizations: [], issuer: otherCA, notBefore: now - 60, notAfter: now + 3600,
            directory: directory, file: "foreign")
        serving = try Self.leaf(
            commonName: "node-1", organizations: [], issuer: otherCA, notBefore: now - 60, notAfter: now + 3600, directory: directory,
            file: "serving", dnsNames: ["localhost", "node-1"])
    }

    private static func authority(name: String, now: Date, directory: String) throws -> Identity {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 86400, issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            }, issuerPrivateKey: .init(key))
        return try write(certificate, key, directory: directory, file: name)
    }

    private static func leaf(
        commonName: String, organizations: [String], issuer: Identity, notBefore: Date, notAfter: Date, directory: String, file: String,
        dnsNames: [String] = []
    ) throws -> Identity {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            for organization in organizations { OrganizationName(organization) }
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: issuer.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth, .serverAuth])
                if !dnsNames.isEmpty { SubjectAlternativeNames(dnsNames.map { .dnsName($0) } + [.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]) }
            }, issuerPrivateKey: .init(issuer.key))
        return try write(certificate, key, directory: directory, file: file)
    }

    private static func write(_ certificate: Certificate, _ key: P256.Signing.PrivateKey, directory: String, file: String) throws
        -> Identity
    {
        let certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
        let keyPEM = key.pemRepresentation + "\n"
        let certificateFile = "\(directory)/\(file).crt"
        let keyFile = "\(directory)/\(file).key"
        try certificatePEM.write(toFile: certificateFile, atomically: true, encoding: .utf8)
        try keyPEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        return Identity(
            certificate: certificate, key: key, certificateFile: certificateFile, keyFile: keyFile, certificatePEM: certificatePEM,
            keyPEM: keyPEM)
    }

    /// A certificate's DER bytes, as a TLS peer presents it.
    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
