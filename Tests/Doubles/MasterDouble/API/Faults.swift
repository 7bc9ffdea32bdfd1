import Synchronization

/// The faults a test has switched on.
final class Faults: Sendable {
    private struct State {
        var unavailable = false
        var failures: [Int] = []
        var hangingWatches = false
        var partitioned = false
    }

    private let state = Mutex(State())

    var unavailable: Bool {
        get { state.withLock { $0.unavailable } }
        set { state.withLock { $0.unavailable = newValue } }
    }

    var hangingWatches: Bool {
        get { state.withLock { $0.hangingWatches } }
        set { state.withLock { $0.hangingWatches = newValue } }
    }

    var partitioned: Bool {
        get { state.withLock { $0.partitioned } }
        set { state.withLock { $0.partitioned = newValue } }
    }

    func failNext(_ count: Int, status: Int) {
        state.withLock { $0.failures.append(contentsOf: Array(repeating: status, count: max(0, count))) }
    }

    /// The injected status for the next request, consuming it.
    func takeFailure() -> Int? {
        state.withLock { $0.failures.isEmpty ? nil : $0.failures.removeFirst() }
    }
}
