import Synchronization

@testable import PodRuntime

/// Keeps every event in memory, in order.
final class RecordingEventRecorder: EventRecorder {
    private let recorded = Mutex<[PodEvent]>([])
    private let forgotten = Mutex<[String]>([])

    func record(_ event: PodEvent) { recorded.withLock { $0.append(event) } }
    func forget(podUID: String) { forgotten.withLock { $0.append(podUID) } }

    /// The pods forgotten, in order.
    var forgottenPods: [String] { forgotten.withLock { $0 } }

    var events: [PodEvent] { recorded.withLock { $0 } }

    func reasons(container: String? = nil) -> [String] {
        events.filter { container == nil || $0.container == container }.map(\.reason)
    }
}
