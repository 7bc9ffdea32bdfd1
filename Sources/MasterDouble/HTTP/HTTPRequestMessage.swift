import Foundation

/// One parsed HTTP/1.1 request.
struct HTTPRequestMessage: Sendable {
    var method: String
    /// Path and query as sent.
    var target: String
    /// The path, percent-decoded.
    var path: String
    /// Query parameters, percent-decoded; the last value wins.
    var query: [String: String]
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    var keepAlive: Bool { headers["connection"]?.lowercased() != "close" }
}
