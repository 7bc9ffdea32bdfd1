import Synchronization

@testable import ServiceProxy

/// A conntrack table in memory: a deletion removes the entries its filters match, as the
/// kernel's would, and is recorded.
final class RecordingConntrackTable: ConntrackTable {
    private struct State {
        var entries: [ConntrackEntry]
        var deletions: [[ConntrackFilter]] = []
    }

    private let state: Mutex<State>

    init(entries: [ConntrackEntry] = []) { state = Mutex(State(entries: entries)) }

    /// What the table holds now.
    var entries: [ConntrackEntry] { state.withLock { $0.entries } }

    /// The filters of each `delete(matching:)` call, in order.
    var deletions: [[ConntrackFilter]] { state.withLock { $0.deletions } }

    func delete(matching filters: [ConntrackFilter]) throws(NetfilterError) -> Int {
        state.withLock { state in
            state.deletions.append(filters)
            let before = state.entries.count
            state.entries.removeAll { entry in filters.contains { $0.matches(entry) } }
            return before - state.entries.count
        }
    }
}
