import AgentTime
import Foundation
import Synchronization

/// Runs the controllers on a thread of their own: right after every write to the store,
/// and once a second regardless (for settings such as the scheduling node), or as often as the
/// node lifecycle controller's monitor period asks when that is shorter.
final class ControllerLoop: Sendable {
    private let store: ObjectStore
    private let controllers: Controllers
    private let settings: SharedSettings
    private let running = Atomic<Bool>(false)
    private let done = Mutex<DispatchSemaphore?>(nil)

    init(store: ObjectStore, controllers: Controllers, settings: SharedSettings) {
        self.store = store
        self.controllers = controllers
        self.settings = settings
    }

    func start() {
        guard running.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else {
            return
        }
        let finished = DispatchSemaphore(value: 0)
        done.withLock { $0 = finished }
        let thread = Thread { [self] in
            var seen: Int64 = -1
            var lastPass = Date.distantPast
            while running.load(ordering: .relaxed) {
                let changed = store.wait(
                    until: Date().addingTimeInterval(0.1),
                    while: { $0.revision == seen && running.load(ordering: .relaxed) }, then: { $0.revision != seen })
                let current = settings.withLock { $0 }
                let idlePass = min(1, current.nodeLifecycle.monitorPeriod.seconds)
                guard changed || Date().timeIntervalSince(lastPass) >= idlePass else { continue }
                seen = pass(settings: current)
                lastPass = Date()
            }
            finished.signal()
        }
        thread.name = "master-double controllers"
        thread.start()
    }

    /// One pass of every controller, on the caller's thread; returns the store's revision after it.
    @discardableResult
    func passNow() -> Int64 {
        pass(settings: settings.withLock { $0 })
    }

    private func pass(settings current: Settings) -> Int64 {
        store.write { state in
            controllers.reconcile(&state, settings: current)
            return state.revision
        }
    }

    func stop() {
        guard running.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent).exchanged else {
            return
        }
        store.wake()
        done.withLock { $0 }?.wait()
    }
}
