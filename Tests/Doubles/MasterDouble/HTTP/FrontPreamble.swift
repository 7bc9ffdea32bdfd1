import Foundation

/// The line the double's TLS front sends on its loopback connection to the plain listener
/// before relaying the client's bytes, in the spirit of HAProxy's PROXY protocol: the front's
/// secret (so that no other local process can claim an identity) and the client certificate's
/// user and groups, or none.
///
///     CLC-FRONT <secret> <base64 of {"user":"alice","groups":["ops"]}>|-\r\n
///
/// A TLS terminator in front of a hand-written HTTP/1.1 server keeps every path of that server
/// (watches, upgrades for exec and port-forward relays) unchanged behind HTTPS.
struct FrontPreamble: Sendable, Hashable {
    /// The user and groups of a verified client certificate (subject CN and O).
    struct CertificateUser: Codable, Sendable, Hashable {
        var user: String
        var groups: [String]
    }

    static let prefix = Array("CLC-FRONT ".utf8)

    var secret: String
    var certificateUser: CertificateUser?

    var line: String {
        let identity = certificateUser.flatMap { try? JSONEncoder().encode($0).base64EncodedString() } ?? "-"
        return "CLC-FRONT \(secret) \(identity)\r\n"
    }

    /// Parses a line without its CRLF; nil when it is not a preamble.
    init?(line: String) {
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[0] == "CLC-FRONT" else { return nil }
        secret = String(parts[1])
        if parts[2] == "-" {
            certificateUser = nil
        } else {
            guard let data = Data(base64Encoded: String(parts[2])),
                let user = try? JSONDecoder().decode(CertificateUser.self, from: data)
            else { return nil }
            certificateUser = user
        }
    }

    init(secret: String, certificateUser: CertificateUser?) {
        self.secret = secret
        self.certificateUser = certificateUser
    }

    /// Reads a preamble at the start of a connection, when one comes: bytes read beyond it stay
    /// in `buffer` for the HTTP parser. Plain HTTP clients never start with the prefix.
    ///
    /// - Returns: the preamble, or nil when the connection does not start with one.
    static func read(from connection: HTTPConnection, into buffer: inout [UInt8]) -> FrontPreamble? {
        while buffer.count < prefix.count, Array(buffer) == Array(prefix.prefix(buffer.count)) {
            if connection.receive(into: &buffer) == 0 { return nil }
        }
        guard Array(buffer.prefix(prefix.count)) == prefix else { return nil }
        while true {
            if let end = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return FrontPreamble(line: line)
            }
            if buffer.count > 4096 || connection.receive(into: &buffer) == 0 { return nil }
        }
    }
}
