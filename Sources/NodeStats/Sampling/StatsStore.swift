import Synchronization

/// The latest snapshot, shared between the sampler that writes it and the endpoints that read
/// it, and the renderings of it, cached per sampling pass.
public final class StatsStore: Sendable {
    private struct State {
        var snapshot: StatsSnapshot?
        var rendered: [String: (generation: UInt64, body: [UInt8])] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The last pass's snapshot; nil before the first pass.
    public var snapshot: StatsSnapshot? { state.withLock { $0.snapshot } }

    /// Replaces the snapshot.
    public func publish(_ snapshot: StatsSnapshot) {
        state.withLock { $0.snapshot = snapshot }
    }

    /// The rendering `key` of the current snapshot: `render` runs once per pass and key, outside
    /// the lock; every other request gets the cached bytes. Nil before the first pass.
    public func rendered(_ key: String, _ render: (StatsSnapshot) -> [UInt8]) -> [UInt8]? {
        let (snapshot, cached) = state.withLock { state in
            (state.snapshot, state.rendered[key].flatMap { $0.generation == state.snapshot?.generation ? $0.body : nil })
        }
        if let cached { return cached }
        guard let snapshot else { return nil }
        let body = render(snapshot)
        state.withLock { $0.rendered[key] = (snapshot.generation, body) }
        return body
    }
}
