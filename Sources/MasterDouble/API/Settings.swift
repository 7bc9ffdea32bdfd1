import Synchronization

/// Settings a test may change while the double runs.
struct Settings: Sendable {
    var bookmarkInterval: Duration = .seconds(1)
    var schedulingNode: String?
    var nodeLifecycle = NodeLifecycleSettings()
    var auth = AuthPolicy()
    var kubeletClient = KubeletClientSettings()
}

/// The settings, shared by the API handler, the controllers and the facade.
final class SharedSettings: Sendable {
    private let value = Mutex(Settings())

    func withLock<T>(_ body: (inout Settings) -> T) -> T {
        value.withLock { body(&$0) }
    }
}
