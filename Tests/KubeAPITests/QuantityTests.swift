import Foundation
import KubeAPI
import Testing

@Suite("Quantities")
struct QuantityTests {
    @Test(
        "a quantity's whole value rounds up to an integer",
        arguments: [
            ("500Mi", 524_288_000),
            ("1.5Gi", 1_610_612_736),
            ("1e3", 1000),
            ("1E3", 1000),
            ("1.5e3", 1500),
            ("500m", 1),
            ("0.5", 1),
            ("1k", 1000),
            ("1Ki", 1024),
            ("129M", 129_000_000),
            ("1", 1),
            ("+1", 1),
            ("5.", 5),
            ("0", 0),
            ("-0", 0),
            ("1n", 1),
            ("1E", 1_000_000_000_000_000_000),
            ("2Ei", 2_305_843_009_213_693_952),
            ("9223372036854775807", Int64.max),
            ("-1", -1),
            ("-1.5", -2),
        ] as [(String, Int64)])
    func wholeValue(text: String, expected: Int64) throws {
        #expect(try Quantity(text).value() == expected)
    }

    @Test(
        "a quantity's milli value rounds up when finer than a thousandth",
        arguments: [
            ("500m", 500),
            ("0.5", 500),
            (".5", 500),
            ("1", 1000),
            ("1e3", 1_000_000),
            ("100m", 100),
            ("0.1m", 1),
            ("1u", 1),
            ("1e-3", 1),
            ("1e-1000", 1),
            ("2", 2000),
            ("500Mi", 524_288_000_000),
            ("-0.1m", -1),
        ] as [(String, Int64)])
    func milliValue(text: String, expected: Int64) throws {
        #expect(try Quantity(text).milliValue() == expected)
    }

    @Test(
        "malformed quantities are rejected with a reason that quotes the text",
        arguments: [
            ("12Qi", QuantityError.Reason.unknownSuffix("Qi")),
            ("1K", .unknownSuffix("K")),
            ("1mi", .unknownSuffix("mi")),
            ("1e", .unknownSuffix("e")),
            ("", .empty),
            ("abc", .malformedNumber),
            ("1.2.3", .malformedNumber),
            ("--1", .malformedNumber),
            (" 1", .malformedNumber),
            ("1 ", .malformedNumber),
            ("-", .malformedNumber),
            (".", .malformedNumber),
            ("1e3.5", .malformedNumber),
        ])
    func rejectsMalformed(text: String, reason: QuantityError.Reason) {
        #expect(throws: QuantityError(text: text, reason: reason)) {
            try Quantity(text).value()
        }
        let error = QuantityError(text: text, reason: reason)
        if !text.isEmpty { #expect(error.description.contains("\"\(text)\"")) }
    }

    @Test(
        "values beyond a 64-bit integer are an overflow, not a wrap-around",
        arguments: [("8Ei", false), ("1e19", false), ("9223372036854775808", false), ("2Ei", true), ("1e16", true)])
    func overflow(text: String, milliOnly: Bool) throws {
        if milliOnly {
            _ = try Quantity(text).value()
        } else {
            #expect(throws: QuantityError(text: text, reason: .overflow)) { try Quantity(text).value() }
        }
        #expect(throws: QuantityError(text: text, reason: .overflow)) { try Quantity(text).milliValue() }
    }

    @Test("the smallest 64-bit integer is representable as a negative quantity")
    func smallestInteger() throws {
        #expect(try Quantity("-9223372036854775808").value() == Int64.min)
    }

    @Test("negative quantities parse and say so; malformed ones are not negative")
    func negative() {
        #expect(Quantity("-1").isNegative)
        #expect(Quantity("-500m").isNegative)
        #expect(!Quantity("-0").isNegative)
        #expect(!Quantity("1").isNegative)
        #expect(!Quantity("--1").isNegative)
    }

    @Test(
        "quantities compare exactly across suffixes",
        arguments: [
            ("500m", "0.5", ComparisonResult.orderedSame),
            ("1Gi", "1G", .orderedDescending),
            ("1k", "1000", .orderedSame),
            ("1Ki", "1025", .orderedAscending),
            ("-1", "0", .orderedAscending),
            ("-2", "-1", .orderedAscending),
            ("0.1m", "0", .orderedDescending),
            ("1.0000000000000000000001", "1", .orderedDescending),
        ])
    func compares(lhs: String, rhs: String, order: ComparisonResult) throws {
        #expect(try Quantity(lhs).compare(to: Quantity(rhs)) == order)
    }

    @Test("JSON numbers decode as quantities keeping their text, and encode as strings")
    func decodesJSONNumbers() throws {
        let json = #"{"cpu": 1, "half": 0.5, "memory": "512Mi", "tiny": 0.001, "big": 1e3}"#
        let decoded = try JSONDecoder().decode([String: Quantity].self, from: Data(json.utf8))
        #expect(decoded["cpu"]?.text == "1")
        #expect(decoded["half"]?.text == "0.5")
        #expect(decoded["memory"]?.text == "512Mi")
        #expect(decoded["tiny"]?.text == "0.001")
        #expect(try decoded["big"]?.value() == 1000)
        let encoded = try JSONEncoder().encode(Quantity("1"))
        #expect(String(decoding: encoded, as: UTF8.self) == #""1""#)
    }

    @Test("a malformed quantity still decodes, so validation can name its field later")
    func malformedStillDecodes() throws {
        let decoded = try JSONDecoder().decode([String: Quantity].self, from: Data(#"{"memory": "12Qi"}"#.utf8))
        #expect(decoded["memory"] == Quantity("12Qi"))
    }

    @Test("a quantity that is neither string nor number fails to decode")
    func rejectsObjects() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([String: Quantity].self, from: Data(#"{"memory": {"a": 1}}"#.utf8))
        }
    }
}
