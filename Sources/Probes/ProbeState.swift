/// The threshold logic of one probe worker, as kubelet's: a result is published only after
/// `successThreshold` successes or `failureThreshold` failures in a row.
public struct ProbeState: Sendable, Hashable {
    public let kind: ProbeKind
    public let successThreshold: Int
    public let failureThreshold: Int
    /// The published result; nil while a startup probe has reached no threshold yet.
    public private(set) var result: Bool?
    private var last: Bool?
    private var run = 0

    public init(kind: ProbeKind, successThreshold: Int, failureThreshold: Int) {
        self.kind = kind
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.result = kind.initialResult
    }

    /// Records one outcome.
    /// - Returns: the new published result when it changed.
    public mutating func record(success: Bool) -> Bool? {
        if last == success { run += 1 } else { last = success; run = 1 }
        let needed = success ? successThreshold : failureThreshold
        guard run >= needed, result != success else { return nil }
        result = success
        return success
    }
}
