import Synchronization

/// The UIDs of pods from the manifest directory: they have no object on the master, so no
/// status or events are sent for them.
final class UIDSet: Sendable {
    private let uids = Mutex<Set<String>>([])

    func replace(with uids: [String]) { self.uids.withLock { $0 = Set(uids) } }
    func contains(_ uid: String) -> Bool { uids.withLock { $0.contains(uid) } }
}
