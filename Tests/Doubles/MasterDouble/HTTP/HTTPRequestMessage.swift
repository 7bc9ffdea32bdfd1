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
    /// Header names lower-cased; a repeated header's values joined with ", ".
    var headers: [String: String]
    var body: [UInt8]
    /// Every header line in order, names as sent, repeats kept (a proxied upgrade passes
    /// `X-Stream-Protocol-Version` on as the client repeated it, as kube-apiserver does).
    var headerFields: [(name: String, value: String)] = []

    var keepAlive: Bool { headers["connection"]?.lowercased() != "close" }
}
