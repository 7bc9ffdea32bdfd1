import Foundation
import SwiftASN1
import X509

/// Reads certificates from PEM files.
enum PEMFiles {
    /// Every certificate of a PEM file, in order.
    static func certificates(path: String) throws(NodeServerError) -> [Certificate] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .certificateFile(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        do {
            let certificates = try PEMDocument.parseMultiple(pemString: text)
                .filter { $0.discriminator == "CERTIFICATE" }
                .map { try Certificate(pemDocument: $0) }
            guard !certificates.isEmpty else { throw CertificateRefusal(reason: "no CERTIFICATE block") }
            return certificates
        } catch let refusal as CertificateRefusal {
            throw .certificateFile(path: path, reason: refusal.reason)
        } catch {
            throw .certificateFile(path: path, reason: "not PEM certificates: \(error)")
        }
    }
}
