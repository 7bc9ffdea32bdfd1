import Foundation

/// Exponential back-off per key, as kubelet's flowcontrol.Backoff: the first retry is immediate,
/// the next waits `initial`, then twice as long each time up to `maximum`. An entry idle for
/// twice the maximum is forgotten. A container that ran for `resetAfter` before it exited starts
/// over at `initial`.
///
/// A value type: plans read it, the executor records retries in it.
public struct BackOff: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var duration: Duration
        public var lastUpdate: Date
    }

    public var initial: Duration
    public var maximum: Duration
    public var resetAfter: Duration
    private(set) var entries: [String: Entry] = [:]

    public init(initial: Duration = .seconds(10), maximum: Duration = .seconds(300), resetAfter: Duration = .seconds(600)) {
        self.initial = initial
        self.maximum = maximum
        self.resetAfter = resetAfter
    }

    /// The current back-off of `key`, if any.
    public func entry(_ key: String) -> Entry? { entries[key] }

    /// True while `key` must wait: its last failure at `eventTime` is more recent than its
    /// current back-off. As kubelet, expiry is judged at the failure, not now: a wait at the
    /// maximum is not cut short because the entry would expire during it.
    public func isInBackOff(_ key: String, since eventTime: Date, now: Date) -> Bool {
        guard let entry = entries[key], !hasExpired(entry, at: eventTime) else { return false }
        return now.timeIntervalSince(eventTime) < entry.duration.seconds
    }

    /// When a retry of `key` after a failure at `eventTime` may happen.
    public func retryTime(_ key: String, since eventTime: Date) -> Date? {
        guard let entry = entries[key] else { return nil }
        return eventTime.addingTimeInterval(entry.duration.seconds)
    }

    /// Records a retry after a failure at `eventTime`; `ranFor` is how long the failed attempt
    /// ran, when known.
    public mutating func next(_ key: String, eventTime: Date, ranFor: Duration? = nil) {
        if let entry = entries[key], !hasExpired(entry, at: eventTime), !(ranFor.map { $0 >= resetAfter } ?? false) {
            entries[key] = Entry(duration: min(entry.duration * 2, maximum), lastUpdate: eventTime)
        } else {
            entries[key] = Entry(duration: initial, lastUpdate: eventTime)
        }
    }

    /// Forgets `key` (its pod is gone).
    public mutating func reset(_ key: String) { entries[key] = nil }

    /// Forgets every key that starts with `prefix`.
    public mutating func reset(prefix: String) {
        entries = entries.filter { !$0.key.hasPrefix(prefix) }
    }

    private func hasExpired(_ entry: Entry, at time: Date) -> Bool {
        time.timeIntervalSince(entry.lastUpdate) > (maximum * 2).seconds
    }
}

extension Duration {
    /// Seconds as a floating-point interval, for Date arithmetic.
    public var seconds: TimeInterval {
        let (whole, fraction) = components
        return TimeInterval(whole) + TimeInterval(fraction) / 1e18
    }

    public init(interval: TimeInterval) {
        self = .nanoseconds(Int64(interval * 1e9))
    }
}
