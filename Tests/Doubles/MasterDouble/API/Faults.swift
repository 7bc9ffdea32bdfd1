import Synchronization

/// The faults a test has switched on.
final class Faults: Sendable {
    private struct State {
        var unavailable = false
        var failures: [Int] = []
        var hangingWatches = false
        var partitioned = false
        var silence = WatchSilence(revision: 0, passes: 0)
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

    /// How far hung watches have gone without sending anything.
    var silence: WatchSilence { state.withLock { $0.silence } }

    /// A hung watch passed over the store at `revision` and sent nothing (no event, no bookmark).
    func noteSilentPass(at revision: Int64) {
        state.withLock { state in
            if revision > state.silence.revision {
                state.silence = WatchSilence(revision: revision, passes: 1)
            } else {
                state.silence.passes += 1
            }
        }
    }

    func failNext(_ count: Int, status: Int) {
        state.withLock { $0.failures.append(contentsOf: Array(repeating: status, count: max(0, count))) }
    }

    /// The injected status for the next request, consuming it.
    func takeFailure() -> Int? {
        state.withLock { $0.failures.isEmpty ? nil : $0.failures.removeFirst() }
    }
}

/// What hung watches held back: the newest store revision one of them passed over without
/// sending, and how many such passes (each a bookmark interval at most) were made since that
/// revision was first passed over.
public struct WatchSilence: Sendable, Equatable {
    public var revision: Int64
    public var passes: Int
}
