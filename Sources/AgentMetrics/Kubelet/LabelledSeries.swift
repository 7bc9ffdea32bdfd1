import Synchronization

/// The series of one labelled metric, made on first use of each label value and kept, so that a
/// hot path does not go through the registry's lock and definition check on every call.
final class LabelledSeries<Metric: Sendable>: Sendable {
    private let make: @Sendable (String) -> Metric?
    private let series = Mutex<[String: Metric]>([:])

    init(make: @escaping @Sendable (String) -> Metric?) {
        self.make = make
    }

    subscript(value: String) -> Metric? {
        if let known = series.withLock({ $0[value] }) { return known }
        guard let made = make(value) else { return nil }
        series.withLock { $0[value] = made }
        return made
    }

    /// Forgets the series of these label values; those that existed.
    func remove(_ values: some Sequence<String>) -> [Metric] {
        series.withLock { series in values.compactMap { series.removeValue(forKey: $0) } }
    }
}
