import Crypto
import Foundation
import Glibc
import SwiftASN1
import X509
import _CryptoExtras

/// Where the node server's TLS certificate comes from, as kubelet decides (cmd/kubelet/app/server.go
/// InitializeTLS): `--tls-cert-file` and `--tls-private-key-file` when given, else
/// `<cert-dir>/kubelet.crt` and `kubelet.key`, generated once when unreadable: a throwaway CA
/// `<host>-ca@<unixtime>` signs a certificate for the node's names and addresses, RSA 2048, valid
/// from an hour ago for a year. The files are 0600 and reused while readable.
public enum ServingCertificate {
    /// The certificate and key files to serve with.
    public struct Files: Sendable, Hashable {
        public var certificate: String
        public var privateKey: String

        public init(certificate: String, privateKey: String) {
            self.certificate = certificate
            self.privateKey = privateKey
        }
    }

    /// Returns `<directory>/kubelet.crt` and `kubelet.key`, generating them when either is
    /// unreadable.
    /// - Parameters:
    ///   - hostnames: DNS names of the node (the first is the certificate's subject).
    ///   - addresses: IPv4 or IPv6 addresses of the node, written as IP SANs.
    /// - Throws: ``NodeServerError/certificateGeneration(directory:reason:)``.
    public static func ensure(
        directory: String, hostnames: [String], addresses: [String], now: Date = Date()
    ) throws(NodeServerError) -> Files {
        let files = Files(certificate: directory + "/kubelet.crt", privateKey: directory + "/kubelet.key")
        if access(files.certificate, R_OK) == 0, access(files.privateKey, R_OK) == 0 { return files }
        let pems: (certificate: String, key: String)
        do {
            pems = try generate(hostnames: hostnames, addresses: addresses, now: now)
        } catch {
            throw .certificateGeneration(directory: directory, reason: "\(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try write(pems.key, to: files.privateKey)
            try write(pems.certificate, to: files.certificate)
        } catch {
            throw .certificateGeneration(directory: directory, reason: "\(error)")
        }
        return files
    }

    /// A self-signed pair as kubelet makes it: the serving certificate followed by its throwaway
    /// CA, and the serving key (PKCS#1 RSA 2048).
    public static func generate(hostnames: [String], addresses: [String], now: Date = Date()) throws -> (
        certificate: String, key: String
    ) {
        let host = hostnames.first ?? addresses.first ?? "localhost"
        let unix = Int(now.timeIntervalSince1970)
        let notBefore = now.addingTimeInterval(-3600)
        let notAfter = now.addingTimeInterval(365 * 24 * 3600)

        let caKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let caName = try DistinguishedName { CommonName("\(host)-ca@\(unix)") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: notBefore,
            notValidAfter: notAfter, issuer: caName, subject: caName, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey))

        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        var names: [GeneralName] = hostnames.map { .dnsName($0) }
        names += addresses.compactMap { address in ipBytes(address).map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) } }
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: notBefore,
            notValidAfter: notAfter, issuer: caName, subject: try DistinguishedName { CommonName("\(host)@\(unix)") },
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(caKey))
        let chain = try leaf.serializeAsPEM().pemString + "\n" + ca.serializeAsPEM().pemString + "\n"
        return (chain, key.pemRepresentation + "\n")
    }

    /// The network-order bytes of an IPv4 or IPv6 address; nil for anything else.
    static func ipBytes(_ address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let writeErrno = errno
        fchmod(fd, 0o600)
        close(fd)
        guard written == bytes.count else { throw POSIXError(POSIXErrorCode(rawValue: writeErrno) ?? .EIO) }
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
