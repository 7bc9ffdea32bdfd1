import AgentTime
import Foundation

/// Exponential back-off per key, exactly as kubelet's flowcontrol.Backoff (without jitter, as
/// kubelet builds its crash-loop and image-pull back-offs): the first ``next(_:eventTime:now:)``
/// of a key sets `initial`, each later one doubles it up to `maximum`. An entry whose last update
/// lies more than twice the maximum before a new failure is forgotten, so a container that ran
/// that long starts over at `initial`.
///
/// A value type: plans read it, the executor records retries in it.
public struct BackOff: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var duration: Duration
        /// When the entry was last stepped (kubelet's `lastUpdate`: the clock at `Next`, not
        /// the failure time).
        public var lastUpdate: Date
    }

    public var initial: Duration
    public var maximum: Duration
    private(set) var entries: [String: Entry] = [:]

    public init(initial: Duration = .seconds(10), maximum: Duration = .seconds(300)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The current back-off of `key`, if any.
    public func entry(_ key: String) -> Entry? { entries[key] }

    /// True while `key` must wait after a failure at `eventTime` (kubelet's IsInBackOffSince):
    /// less than the current back-off has passed since it. Expiry is judged at the failure, not
    /// now, so a wait at the maximum is not cut short because the entry expires during it.
    public func isInBackOff(_ key: String, since eventTime: Date, now: Date) -> Bool {
        guard let entry = entries[key], !hasExpired(entry, at: eventTime) else { return false }
        return now.timeIntervalSince(eventTime) < entry.duration.seconds
    }

    /// When a retry of `key` after a failure at `eventTime` may happen.
    public func retryTime(_ key: String, since eventTime: Date) -> Date? {
        guard let entry = entries[key] else { return nil }
        return eventTime.addingTimeInterval(entry.duration.seconds)
    }

    /// Steps `key` for a retry after a failure at `eventTime`, at `now` (kubelet's Next).
    public mutating func next(_ key: String, eventTime: Date, now: Date) {
        if let entry = entries[key], !hasExpired(entry, at: eventTime) {
            entries[key] = Entry(duration: min(entry.duration * 2, maximum), lastUpdate: now)
        } else {
            entries[key] = Entry(duration: initial, lastUpdate: now)
        }
    }

    /// Forgets `key`.
    public mutating func reset(_ key: String) { entries[key] = nil }

    /// Forgets every key that starts with `prefix` (a pod that is gone).
    public mutating func reset(prefix: String) {
        entries = entries.filter { !$0.key.hasPrefix(prefix) }
    }

    private func hasExpired(_ entry: Entry, at eventTime: Date) -> Bool {
        eventTime.timeIntervalSince(entry.lastUpdate) > (maximum * 2).seconds
    }
}

extension Duration {
    public init(interval: TimeInterval) {
        self = .nanoseconds(Int64(interval * 1e9))
    }
}
