import Foundation
import KubeAPI
import Testing

@Suite("RFC 3339 times")
struct KubeTimeTests {
    @Test("a date formats in UTC with second precision")
    func formats() {
        #expect(KubeTime.format(Date(timeIntervalSince1970: 1_795_619_790.75)) == "2026-11-25T15:16:30Z")
        #expect(KubeTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(KubeTime.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(KubeTime.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    @Test(
        "timestamps parse with fractions and offsets",
        arguments: [
            ("2026-11-25T15:16:30Z", 1_795_619_790.0),
            ("2026-11-25T15:16:30.5Z", 1_795_619_790.5),
            ("2026-11-25T15:16:30.123456789Z", 1_795_619_790.123456789),
            ("2026-11-25T16:16:30+01:00", 1_795_619_790.0),
            ("2026-11-25T10:16:30-05:00", 1_795_619_790.0),
            ("2026-11-25t15:16:30z", 1_795_619_790.0),
            ("1970-01-01T00:00:00Z", 0.0),
        ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(KubeTime.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test(
        "text that is not RFC 3339 does not parse",
        arguments: ["", "2026-11-25", "2026-11-25T15:16:30", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                    "2026-11-25T15:16:30.Z", "2026-11-25T15:16:30Zjunk", "2026-11-25T15:16:30+0100"])
    func rejects(text: String) {
        #expect(KubeTime.parse(text) == nil)
    }

    @Test("formatting and parsing round-trip whole seconds")
    func roundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_234_567_890)
        #expect(KubeTime.parse(KubeTime.format(date)) == date)
    }
}
