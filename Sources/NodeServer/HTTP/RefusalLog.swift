import Logging
import Synchronization

/// Logs each refused request once per client (remote address and user) and status, with the
/// reason, so that a client retrying in a loop does not flood the journal. Bounded: after
/// `capacity` distinct clients it forgets them all and starts over.
final class RefusalLog: Sendable {
    private let seen = Mutex<Set<String>>([])
    private let logger: Logger
    private let capacity: Int

    init(logger: Logger, capacity: Int = 10_000) {
        self.logger = logger
        self.capacity = capacity
    }

    /// - Returns: whether this refusal was logged (the first from this client, user and status).
    @discardableResult
    func record(client: String, user: String, status: Int, path: String, reason: String) -> Bool {
        let key = "\(client)\u{0}\(user)\u{0}\(status)"
        let isNew = seen.withLock { seen in
            if seen.count >= capacity { seen.removeAll(keepingCapacity: true) }
            return seen.insert(key).inserted
        }
        guard isNew else { return false }
        logger.warning(
            "node API request refused",
            metadata: [
                "client.address": "\(client)", "user": "\(user)", "http.status": "\(status)", "http.path": "\(path)",
                "reason": "\(reason)",
            ])
        return true
    }
}
