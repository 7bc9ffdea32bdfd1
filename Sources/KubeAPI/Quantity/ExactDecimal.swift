import Foundation

/// An exact signed decimal, `digits × 10^exponent`, wide enough for any quantity text.
///
/// Quantities are compared and scaled exactly, as Kubernetes does with its `inf.Dec` fallback,
/// so that "0.1m" rounds up to one milli-unit and "1.5Gi" is exactly 1610612736 with no floating
/// point on the way.
struct ExactDecimal: Sendable, Hashable {
    /// Whether the value is below zero; always false for zero.
    let isNegative: Bool
    /// Significant decimal digits (0...9), most significant first, no leading or trailing zeros.
    /// Empty means zero.
    let digits: [UInt8]
    /// The power of ten that scales `digits`.
    let exponent: Int

    /// Normalises the digits (strips zeros at both ends, moving the exponent) so that equal values
    /// have equal representations.
    init(isNegative: Bool, digits: [UInt8], exponent: Int) {
        var first = 0
        while first < digits.count, digits[first] == 0 { first += 1 }
        var end = digits.count
        var exponent = exponent
        while end > first, digits[end - 1] == 0 {
            end -= 1
            exponent += 1
        }
        if first == end {
            self.isNegative = false
            self.digits = []
            self.exponent = 0
        } else {
            self.isNegative = isNegative
            self.digits = Array(digits[first..<end])
            self.exponent = exponent
        }
    }

    var isZero: Bool { digits.isEmpty }

    /// The value times `10^decimalShift` as an integer, rounded away from zero when a fraction is
    /// left over (Kubernetes rounds quantities "up" this way).
    ///
    /// - Throws: `QuantityError.Reason.overflow` when the result does not fit `Int64`.
    func scaledInteger(decimalShift: Int, text: String) throws(QuantityError) -> Int64 {
        if isZero { return 0 }
        let overflow = QuantityError(text: text, reason: .overflow)
        let shifted = exponent + decimalShift
        var magnitude: UInt64 = 0
        // Int64.max has 19 digits; anything with more integer digits cannot fit.
        let integerDigitCount = digits.count + shifted
        if integerDigitCount > 19 { throw overflow }
        if shifted >= 0 {
            for digit in digits {
                magnitude = try Self.appendDigit(digit, to: magnitude, or: overflow)
            }
            for _ in 0..<shifted {
                magnitude = try Self.appendDigit(0, to: magnitude, or: overflow)
            }
        } else {
            // A fraction is always left over: the last significant digit is not zero.
            if integerDigitCount > 0 {
                for digit in digits[0..<integerDigitCount] {
                    magnitude = try Self.appendDigit(digit, to: magnitude, or: overflow)
                }
            }
            let (rounded, carried) = magnitude.addingReportingOverflow(1)
            if carried { throw overflow }
            magnitude = rounded
        }
        if isNegative {
            if magnitude > UInt64(Int64.max) + 1 { throw overflow }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        if magnitude > UInt64(Int64.max) { throw overflow }
        return Int64(magnitude)
    }

    private static func appendDigit(
        _ digit: UInt8, to value: UInt64, or overflow: QuantityError
    ) throws(QuantityError) -> UInt64 {
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
        if o1 || o2 { throw overflow }
        return sum
    }

    /// Multiplies the digits by `2^power` exactly, for the binary suffixes (Ki = 2^10 ... Ei = 2^60).
    func multipliedByPowerOfTwo(_ power: Int) -> ExactDecimal {
        var result = digits
        var remaining = power
        while remaining > 0 {
            let step = min(remaining, 20)
            remaining -= step
            let factor = UInt64(1) << UInt64(step)
            var carry: UInt64 = 0
            for index in result.indices.reversed() {
                let product = UInt64(result[index]) * factor + carry
                result[index] = UInt8(product % 10)
                carry = product / 10
            }
            var prefix: [UInt8] = []
            while carry > 0 {
                prefix.append(UInt8(carry % 10))
                carry /= 10
            }
            result = Array(prefix.reversed()) + result
        }
        return ExactDecimal(isNegative: isNegative, digits: result, exponent: exponent)
    }

    /// Orders two values exactly.
    static func compare(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> ComparisonResult {
        if lhs.isNegative != rhs.isNegative {
            return lhs.isNegative ? .orderedAscending : .orderedDescending
        }
        let magnitudeOrder = compareMagnitudes(lhs, rhs)
        if lhs.isNegative {
            switch magnitudeOrder {
            case .orderedAscending: return .orderedDescending
            case .orderedDescending: return .orderedAscending
            case .orderedSame: return .orderedSame
            }
        }
        return magnitudeOrder
    }

    private static func compareMagnitudes(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> ComparisonResult {
        if lhs.isZero || rhs.isZero {
            if lhs.isZero && rhs.isZero { return .orderedSame }
            return lhs.isZero ? .orderedAscending : .orderedDescending
        }
        // Position of the leading digit decides first, since neither has leading zeros.
        let lhsTop = lhs.digits.count + lhs.exponent
        let rhsTop = rhs.digits.count + rhs.exponent
        if lhsTop != rhsTop { return lhsTop < rhsTop ? .orderedAscending : .orderedDescending }
        for (left, right) in zip(lhs.digits, rhs.digits) where left != right {
            return left < right ? .orderedAscending : .orderedDescending
        }
        // Equal prefix: the longer one has more non-zero digits below, so it is larger.
        if lhs.digits.count == rhs.digits.count { return .orderedSame }
        return lhs.digits.count < rhs.digits.count ? .orderedAscending : .orderedDescending
    }
}
