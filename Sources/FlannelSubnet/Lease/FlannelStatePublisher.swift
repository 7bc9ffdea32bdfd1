import Synchronization

/// Hands the latest ``FlannelState`` to whoever asks and to every subscriber as it changes.
public final class FlannelStatePublisher: Sendable {
    private struct Storage {
        var current: FlannelState
        var subscribers: [Int: AsyncStream<FlannelState>.Continuation] = [:]
        var nextID = 0
    }

    private let storage: Mutex<Storage>

    public init(initial: FlannelState = FlannelState(phase: .starting)) {
        storage = Mutex(Storage(current: initial))
    }

    public var current: FlannelState { storage.withLock { $0.current } }

    /// The current state first, then each change; a slow reader sees only the newest.
    public func updates() -> AsyncStream<FlannelState> {
        let (stream, continuation) = AsyncStream.makeStream(of: FlannelState.self, bufferingPolicy: .bufferingNewest(1))
        let id = storage.withLock { storage in
            let id = storage.nextID
            storage.nextID += 1
            storage.subscribers[id] = continuation
            continuation.yield(storage.current)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.storage.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func update(_ change: (inout FlannelState) -> Void) {
        storage.withLock { storage in
            var next = storage.current
            change(&next)
            guard next != storage.current else { return }
            storage.current = next
            for subscriber in storage.subscribers.values { subscriber.yield(next) }
        }
    }
}
