import Foundation

/// Builds the query part of a request path: `?key=value&...`, values percent-encoded except
/// for RFC 3986's unreserved characters (so `=`, `,` and `{` in selectors and filters survive).
public enum QueryString {
    private static let unreserved: CharacterSet = {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()

    /// - Returns: "" for no items, else `?` and the encoded pairs in order.
    public static func encode(_ items: [(String, String)]) -> String {
        let parts = items.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)"
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
