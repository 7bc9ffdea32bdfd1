import Testing

@testable import Probes

/// A run of outcomes fed to one ``ProbeState``: what each `record` returned, and the result at
/// the end.
struct ThresholdCase: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: ProbeKind
    var successThreshold = 1
    var failureThreshold = 3
    /// `S` success, `F` failure.
    var outcomes: String
    /// What each `record` published, `-` for nothing, `T`/`F` for a change.
    var published: String
    var result: Bool?

    var testDescription: String { name }
}

private let thresholdCases: [ThresholdCase] = [
    ThresholdCase(
        name: "liveness flips to false only at the third failure in a row", kind: .liveness,
        outcomes: "FFF", published: "--F", result: false),
    ThresholdCase(
        name: "a success between failures resets the run", kind: .liveness,
        outcomes: "FFSFF", published: "-----", result: true),
    ThresholdCase(
        name: "failures past the threshold publish nothing more", kind: .liveness,
        outcomes: "FFFFF", published: "--F--", result: false),
    ThresholdCase(
        name: "a failed liveness recovers with one success", kind: .liveness, failureThreshold: 1,
        outcomes: "FSS", published: "FT-", result: true),
    ThresholdCase(
        name: "successes of a live container publish nothing", kind: .liveness,
        outcomes: "SSS", published: "---", result: true),
    ThresholdCase(
        name: "readiness becomes true at successThreshold successes in a row", kind: .readiness, successThreshold: 2,
        outcomes: "SFSS", published: "---T", result: true),
    ThresholdCase(
        name: "readiness failures before any success publish nothing", kind: .readiness,
        outcomes: "FFFF", published: "----", result: false),
    ThresholdCase(
        name: "a ready container turns unready at failureThreshold failures in a row", kind: .readiness,
        failureThreshold: 2, outcomes: "SFSFF", published: "T---F", result: false),
    ThresholdCase(
        name: "readiness with thresholds 1 and 1 follows every outcome", kind: .readiness, failureThreshold: 1,
        outcomes: "SFS", published: "TFT", result: true),
    ThresholdCase(
        name: "startup publishes true at its first success", kind: .startup,
        outcomes: "FS", published: "-T", result: true),
    ThresholdCase(
        name: "startup publishes false at failureThreshold failures in a row", kind: .startup,
        outcomes: "FFF", published: "--F", result: false),
]

@Suite("Probe thresholds")
struct ProbeStateTests {
    @Test(
        "liveness starts alive, readiness not ready, startup unknown",
        arguments: [(ProbeKind.liveness, true as Bool?), (.readiness, false), (.startup, nil)])
    func initial(_ kind: ProbeKind, _ result: Bool?) {
        #expect(ProbeState(kind: kind, successThreshold: 1, failureThreshold: 3).result == result)
    }

    @Test("a result is published only after a threshold's run of the same outcome", arguments: thresholdCases)
    func thresholds(_ testCase: ThresholdCase) {
        var state = ProbeState(
            kind: testCase.kind, successThreshold: testCase.successThreshold, failureThreshold: testCase.failureThreshold)
        let published = testCase.outcomes.map { outcome -> Character in
            switch state.record(success: outcome == "S") {
            case nil: "-"
            case true?: "T"
            case false?: "F"
            }
        }
        #expect(String(published) == testCase.published)
        #expect(state.result == testCase.result)
    }
}
