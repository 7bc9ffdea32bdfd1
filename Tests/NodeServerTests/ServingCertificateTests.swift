import Foundation
import NodeServer
import SwiftASN1
import Testing
import X509

@Suite("The generated serving certificate")
struct ServingCertificateTests {
    @Test("made once into the cert dir as kubelet makes it: 0600 files, CA-signed, RSA 2048, names and IPs as SANs, reused")
    func generatesOnceAndReuses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clc-pki-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date()

        let files = try ServingCertificate.ensure(
            directory: directory + "/pki", hostnames: ["node-1"], addresses: ["10.0.0.5", "::1"], now: now)

        #expect(files.certificate == directory + "/pki/kubelet.crt")
        #expect(files.privateKey == directory + "/pki/kubelet.key")
        for path in [files.certificate, files.privateKey] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
        }
        let pem = try String(contentsOfFile: files.certificate, encoding: .utf8)
        let chain = try PEMDocument.parseMultiple(pemString: pem).map { try Certificate(pemDocument: $0) }
        #expect(chain.count == 2)
        let (leaf, ca) = (chain[0], chain[1])
        let unix = Int(now.timeIntervalSince1970)
        #expect("\(ca.subject)" == "CN=node-1-ca@\(unix)")
        #expect(leaf.issuer == ca.subject)
        #expect(abs(leaf.notValidBefore.timeIntervalSince(now) + 3600) < 2)
        #expect(abs(leaf.notValidAfter.timeIntervalSince(now) - 365 * 86400) < 2)
        let names = try #require(try leaf.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("node-1")))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 5]))))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))))
        #expect("\(leaf.publicKey)".contains("RSA") || leaf.signatureAlgorithm == .sha256WithRSAEncryption)
        var verifier = Verifier(rootCertificates: CertificateStore([ca])) { RFC5280Policy() }
        guard case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) else {
            Issue.record("the serving certificate does not verify against its CA")
            return
        }

        let again = try ServingCertificate.ensure(directory: directory + "/pki", hostnames: ["other"], addresses: [])
        #expect(again == files)
        #expect(try String(contentsOfFile: files.certificate, encoding: .utf8) == pem)
    }
}
