/// Parses quantity text with Kubernetes' grammar (k8s.io/apimachinery `resource.ParseQuantity`):
///
///     quantity ::= sign? number suffix
///     number   ::= digits | digits "." digits? | "." digits
///     suffix   ::= "" | n u m k M G T P E | Ki Mi Gi Ti Pi Ei | (e|E) sign? digits
///
/// Unlike Kubernetes, which caps values beyond 2^63-1, values are kept exact here and only the
/// conversion to `Int64` reports overflow.
enum QuantityParser {
    private static let decimalSuffixes: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    private static let binarySuffixes: [String: Int] = [
        "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
    ]
    /// Exponents beyond this behave alike (overflow or round to one unit); clamping keeps the
    /// exponent arithmetic itself from overflowing.
    private static let exponentLimit = 1 << 40

    static func parse(_ text: String) throws(QuantityError) -> ExactDecimal {
        if text.isEmpty { throw QuantityError(text: text, reason: .empty) }
        let malformed = QuantityError(text: text, reason: .malformedNumber)
        let bytes = Array(text.utf8)
        var index = 0
        var isNegative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            isNegative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var integerDigits: [UInt8] = []
        while index < bytes.count, let digit = decimalDigit(bytes[index]) {
            integerDigits.append(digit)
            index += 1
        }
        var fractionDigits: [UInt8] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, let digit = decimalDigit(bytes[index]) {
                fractionDigits.append(digit)
                index += 1
            }
        }
        if integerDigits.isEmpty && fractionDigits.isEmpty { throw malformed }

        let suffixBytes = bytes[index...]
        let suffix = String(decoding: suffixBytes, as: UTF8.self)
        var decimalExponent = 0
        var binaryExponent = 0
        if let power = decimalSuffixes[suffix] {
            decimalExponent = power
        } else if let power = binarySuffixes[suffix] {
            binaryExponent = power
        } else if let exponent = parseExponent(suffixBytes) {
            decimalExponent = exponent
        } else if suffixBytes.allSatisfy(isASCIILetter) {
            throw QuantityError(text: text, reason: .unknownSuffix(suffix))
        } else {
            throw malformed
        }

        let value = ExactDecimal(
            isNegative: isNegative,
            digits: integerDigits + fractionDigits,
            exponent: decimalExponent - fractionDigits.count)
        return binaryExponent > 0 ? value.multipliedByPowerOfTwo(binaryExponent) : value
    }

    /// `e3`, `E-2`, `e+10`: the exponent, or nil when the suffix is not of that form.
    private static func parseExponent(_ suffix: ArraySlice<UInt8>) -> Int? {
        guard let first = suffix.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else {
            return nil
        }
        var rest = suffix.dropFirst()
        var isNegative = false
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            isNegative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return nil }
        var magnitude = 0
        for byte in rest {
            guard let digit = decimalDigit(byte) else { return nil }
            magnitude = min(magnitude * 10 + Int(digit), exponentLimit)
        }
        return isNegative ? -magnitude : magnitude
    }

    private static func decimalDigit(_ byte: UInt8) -> UInt8? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
