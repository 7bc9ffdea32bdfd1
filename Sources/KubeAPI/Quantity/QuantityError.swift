/// Why a quantity's text is not a Kubernetes quantity, with the text so a message can show it.
public struct QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the text.
    public enum Reason: Sendable, Equatable {
        /// The text is empty.
        case empty
        /// The number part is not digits with an optional fraction, or stray characters follow it.
        case malformedNumber
        /// The number is followed by letters that are not a known suffix.
        case unknownSuffix(String)
        /// The value does not fit a 64-bit integer at the requested scale.
        case overflow
    }

    /// The text that failed to parse.
    public let text: String
    /// What was wrong with it.
    public let reason: Reason

    public init(text: String, reason: Reason) {
        self.text = text
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .empty:
            return "quantity is empty"
        case .malformedNumber:
            return "quantity \"\(text)\" is not a number with an optional suffix (like 500m, 1.5, 512Mi or 1e3)"
        case .unknownSuffix(let suffix):
            return "quantity \"\(text)\" has unknown suffix \"\(suffix)\" "
                + "(expected one of Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3)"
        case .overflow:
            return "quantity \"\(text)\" is too large to represent as a 64-bit integer"
        }
    }
}
