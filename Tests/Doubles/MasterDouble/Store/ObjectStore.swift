import Foundation

/// The shared store: `StoreState` behind one lock, with a condition that wakes watchers and
/// controllers on every write.
final class ObjectStore: @unchecked Sendable {
    // @unchecked: `state` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var state = StoreState()

    func read<T>(_ body: (StoreState) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(state)
    }

    /// Runs a mutation atomically and wakes everyone waiting for changes.
    func write<T>(_ body: (inout StoreState) throws -> T) rethrows -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Waits while `keepWaiting` holds (it is re-checked on every write and every `wake()`), at
    /// most until the deadline, then reads the state.
    func wait<T>(until deadline: Date, while keepWaiting: (StoreState) -> Bool, then body: (StoreState) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        while keepWaiting(state), Date() < deadline {
            _ = condition.wait(until: deadline)
        }
        return body(state)
    }

    /// Wakes all waiters so they re-check conditions that live outside the store (faults,
    /// shutdown).
    func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
