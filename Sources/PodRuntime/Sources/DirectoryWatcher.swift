import Foundation
import Glibc

/// Wakes the manifest source as soon as something in its directory changes, through inotify,
/// so a new manifest is read within milliseconds instead of at the next periodic scan. The
/// periodic scan stays as the safety net (inotify can overflow, and the directory can be
/// replaced).
///
/// The blocking `poll` runs on a thread of its own, never on the concurrency pool.
final class DirectoryWatcher: @unchecked Sendable {
    // @unchecked: `descriptor` and `thread` are set once in start() and only read after;
    // `stopped` is an atomic flag.
    private var descriptor: Int32 = -1
    private let stopped = ManagedAtomicFlag()

    /// Starts watching `directory`; `onChange` is called from the watcher thread.
    /// - Returns: false when inotify is not available (the periodic scan alone then serves).
    func start(directory: String, onChange: @escaping @Sendable () -> Void) -> Bool {
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return false }
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(descriptor, directory, mask) >= 0 else {
            close(descriptor)
            descriptor = -1
            return false
        }
        let fd = descriptor
        let stopped = self.stopped
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while !stopped.isSet {
                let ready = poll(&entry, 1, 500)
                guard ready > 0 else { continue }
                // Drain every pending event; one wake-up covers them all.
                while read(fd, &buffer, buffer.count) > 0 {}
                onChange()
            }
            close(fd)
        }
        thread.name = "manifest inotify"
        thread.start()
        return true
    }

    func stop() { stopped.set() }

    deinit { stopped.set() }
}

import Synchronization

/// A one-way flag readable from any thread.
final class ManagedAtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
