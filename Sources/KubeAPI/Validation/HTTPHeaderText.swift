/// Checks for the text of HTTP header names and values taken from objects (probe and hook
/// `httpHeaders`).
public enum HTTPHeaderText {
    /// Whether `text` holds a CR or LF, which would end the header line early. Counted in
    /// Unicode scalars: Swift treats "\r\n" as one Character that is neither "\r" nor "\n".
    public static func hasLineBreak(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
    }

    /// `text` with CR and LF spelt `\r` and `\n`, for messages that must stay on one line.
    public static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
