import Foundation

/// A Kubernetes resource quantity ("500m", "512Mi", "1e3"), kept exactly as written.
///
/// Decoding never fails on a malformed quantity: the text is kept and parsing is a separate,
/// throwing step. That way a pod with `memory: 12Qi` still decodes, and validation can name the
/// pod, the container and the field instead of failing the whole manifest with a decoding error.
///
/// Manifests may write a bare number (`cpu: 1`, JSON `"cpu": 0.5`); the number's text is kept
/// ("1", "0.5"). Encoding always writes a JSON string, as the API server does. Equality and
/// hashing compare the text ("1" != "1000m"); use `compare(to:)` to compare amounts.
public struct Quantity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The quantity as written in the manifest.
    public let text: String

    /// Wraps `text` without parsing it; call `value()` or `milliValue()` to parse.
    public init(_ text: String) {
        self.text = text
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else if let integer = try? container.decode(Int64.self) {
            self.text = String(integer)
        } else if let decimal = try? container.decode(Decimal.self) {
            // Decimal keeps the digits of the JSON number exactly; Double would not ("0.1").
            self.text = decimal.description
        } else {
            throw DecodingError.typeMismatch(
                Quantity.self,
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected a quantity as a string or a number"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// The quantity in thousandths, rounded up (away from zero) when finer than a thousandth:
    /// "500m" is 500, "0.5" is 500, "0.1m" is 1. This is the CPU unit Docker's shares and quota use.
    ///
    /// - Throws: `QuantityError` when the text is not a quantity or the result exceeds `Int64`.
    public func milliValue() throws(QuantityError) -> Int64 {
        try parsed().scaledInteger(decimalShift: 3, text: text)
    }

    /// The quantity as a whole number, rounded up (away from zero): "500Mi" is 524288000,
    /// "500m" is 1. This is the unit memory limits use.
    ///
    /// - Throws: `QuantityError` when the text is not a quantity or the result exceeds `Int64`.
    public func value() throws(QuantityError) -> Int64 {
        try parsed().scaledInteger(decimalShift: 0, text: text)
    }

    /// Whether the quantity parses to a value below zero. Kubernetes' grammar admits negative
    /// quantities; resource validation rejects them. Malformed text is not negative.
    public var isNegative: Bool {
        guard let number = try? parsed() else { return false }
        return number.isNegative
    }

    /// Whether the quantity parses to exactly zero. Malformed text is not zero.
    public var isZero: Bool {
        guard let number = try? parsed() else { return false }
        return number.isZero
    }

    /// Compares two quantities exactly, whatever their suffixes ("1Gi" vs "1G", "500m" vs "0.5").
    ///
    /// - Throws: `QuantityError` for whichever of the two does not parse.
    public func compare(to other: Quantity) throws(QuantityError) -> ComparisonResult {
        let lhs = try parsed()
        let rhs = try other.parsed()
        return ExactDecimal.compare(lhs, rhs)
    }

    /// Parses the text into an exact decimal.
    func parsed() throws(QuantityError) -> ExactDecimal {
        try QuantityParser.parse(text)
    }
}
