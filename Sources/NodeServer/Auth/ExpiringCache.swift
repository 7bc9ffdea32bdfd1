import Synchronization

/// A small map whose entries expire, for webhook answers (apiserver's cached token and
/// SubjectAccessReview authorizers). Time comes from an injected clock reading, so tests step it.
/// Bounded: when full, expired entries go, and if none had expired, everything does.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    init(capacity: Int = 4096, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.capacity = capacity
        self.now = now
    }

    func value(for key: Key) -> Value? {
        let now = now()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func store(_ value: Value, for key: Key, ttl: Duration) {
        let now = now()
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(value: value, expires: now + ttl)
        }
    }
}
