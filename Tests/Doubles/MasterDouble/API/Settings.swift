import Synchronization

/// Settings a test may change while the double runs.
struct Settings: Sendable {
    var bookmarkInterval: Duration = .seconds(1)
    var schedulingNode: String?
    var nodeLifecycle = NodeLifecycleSettings()
    var auth = AuthPolicy()
    var kubeletClient = KubeletClientSettings()
    /// Whether `discovery.k8s.io/v1` (EndpointSlices) is served and its controller runs.
    var servesEndpointSlices = true
    /// Set while a TLS front serves the double (`SecureMasterDouble`): its secret. Requests must
    /// then come through the front and be authenticated.
    var frontSecret: String?
}

/// The settings, shared by the API handler, the controllers and the facade.
final class SharedSettings: Sendable {
    private let value = Mutex(Settings())

    func withLock<T>(_ body: (inout Settings) -> T) -> T {
        value.withLock { body(&$0) }
    }
}
