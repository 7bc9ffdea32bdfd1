/// How late probes start against their schedule: kubelet's probes drift under load, ours
/// should not. Kept as a bounded sample for percentiles.
public struct ProbeTimingStats: Sendable {
    private var samples: [Duration] = []
    private var next = 0
    private let capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 100_000) { self.capacity = capacity }

    mutating func add(_ lateness: Duration) {
        count += 1
        if samples.count < capacity { samples.append(lateness) } else { samples[next] = lateness; next = (next + 1) % capacity }
    }

    /// The given percentile (0...100) of lateness.
    public func percentile(_ p: Double) -> Duration {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }

    public mutating func reset() {
        samples.removeAll(keepingCapacity: true)
        next = 0
        count = 0
    }
}
