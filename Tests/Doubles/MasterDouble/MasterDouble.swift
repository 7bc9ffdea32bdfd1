import Foundation
import KubeAPI
import Synchronization

/// A stand-in for a Kubernetes master: the subset of the v1 API a node agent uses, served over
/// real HTTP on 127.0.0.1 with the real semantics (resourceVersions, list + watch with
/// bookmarks and 410 Gone, the status subresource with strategic merge patches, optimistic
/// concurrency, graceful deletion), plus the controllers a node's tests rely on (scheduler,
/// replication manager, endpoints, node lifecycle) and switches for faults.
///
/// Where it differs from kube-apiserver and kube-controller-manager is said where each part is
/// defined; for the node lifecycle controller see `NodeLifecycleController` (no taints, no
/// evictions, heartbeats read by the double's clock).
///
/// Controller logic the agent also needs is not written twice: the endpoints controller is
/// KubeAPI's `EndpointsController` (the agent runs it for the manifest directory), and a
/// replication controller's new pod is KubeAPI's `ReplicationController.newPod()` (the agent
/// expands a manifest's controllers from it); the double only stores and writes their results.
///
/// ```swift
/// let master = try MasterDouble()
/// try master.start()
/// try master.apply(Data(contentsOf: rcFile))
/// // point the agent at master.url
/// ```
public final class MasterDouble: Sendable {
    private let store = ObjectStore()
    private let registry: Registry
    private let faults = Faults()
    private let log = RequestLog()
    let settings = SharedSettings()
    private let handler: APIHandler
    private let server: HTTPServer
    private let controllerLoop: ControllerLoop

    /// Whether `coordination.k8s.io/v1` (node leases) is served; when false its paths answer 404
    /// as a master older than 1.14 does.
    public let servesLeases: Bool

    /// Binds `host` (127.0.0.1 unless told) and reserves the port; nothing is served until
    /// `start()`.
    ///
    /// - Parameters:
    ///   - host: The IPv4 address to listen on, e.g. the root-namespace address that simulated
    ///     nodes in network namespaces reach (scripts/netns-nodes.sh).
    ///   - port: The TCP port, or 0 for an ephemeral one.
    ///   - servesLeases: Whether to serve the coordination.k8s.io/v1 group.
    ///   - clock: The master's wall clock: timestamps it writes, and the node lifecycle
    ///     controller's idea of now (a test moves a manual one instead of sleeping).
    ///   - controllersRunOnTheirOwn: Whether the controllers run after every write and every
    ///     second; false leaves them to `runControllers()`, for a test on a manual clock that
    ///     decides when each check happens.
    /// - Throws: `SocketCallError` when the port cannot be bound.
    public init(
        host: String = "127.0.0.1", port: Int = 0, servesLeases: Bool = true,
        clock: @escaping @Sendable () -> Date = { Date() }, controllersRunOnTheirOwn: Bool = true
    ) throws {
        self.controllersRunOnTheirOwn = controllersRunOnTheirOwn
        var registry = Registry()
        registry.clock = clock
        self.registry = registry
        self.host = host
        self.servesLeases = servesLeases
        let handler = APIHandler(
            store: store, registry: registry, faults: faults, log: log, settings: settings, servesLeases: servesLeases)
        self.handler = handler
        self.server = try HTTPServer(host: host, port: port) { request, connection in
            handler.handle(request, on: connection)
        }
        handler.setPort(server.port)
        self.controllerLoop = ControllerLoop(store: store, controllers: Controllers(registry: registry), settings: settings)
    }

    deinit {
        controllerLoop.stop()
        handler.stopping.store(true, ordering: .relaxed)
        server.stop()
        store.wake()
    }

    /// Starts serving, and the controllers on first start. After `stop()` it listens again on
    /// the same port.
    ///
    /// - Throws: `SocketCallError` when the port cannot be bound again.
    public func start() throws {
        handler.stopping.store(false, ordering: .relaxed)
        try server.start()
        if controllersRunOnTheirOwn { controllerLoop.start() }
    }

    /// Whether the controllers run after every write and every second, or only on `runControllers()`.
    public let controllersRunOnTheirOwn: Bool

    /// Stops listening, so that connections are refused, and cuts every open connection
    /// (watches end without their terminating chunk). The store and the controllers keep
    /// running, so client-side operations still work while the master is "down".
    public func stop() {
        handler.stopping.store(true, ordering: .relaxed)
        server.stop()
        store.wake()
    }

    /// The address it listens on.
    public let host: String

    /// `http://<host>:<port>`.
    public var url: String { "http://\(host):\(server.port)" }

    /// The TCP port, the same across `stop()` and `start()`.
    public var port: Int { server.port }

    /// The current resourceVersion (the store's revision).
    public var resourceVersion: Int64 { store.read { $0.revision } }

    /// The node the scheduler binds pending pods to; nil picks among registered nodes.
    public var schedulingNode: String? {
        get { settings.withLock { $0.schedulingNode } }
        set { settings.withLock { $0.schedulingNode = newValue } }
    }

    /// How often a watch that allows bookmarks gets one (the real master: about a minute).
    /// Applies to watches started afterwards.
    public var bookmarkInterval: Duration {
        get { settings.withLock { $0.bookmarkInterval } }
        set { settings.withLock { $0.bookmarkInterval = newValue } }
    }

    /// The node lifecycle controller's settings (on, 5 s period, 40 s grace by default); a
    /// change applies from its next check.
    public var nodeLifecycle: NodeLifecycleSettings {
        get { settings.withLock { $0.nodeLifecycle } }
        set { settings.withLock { $0.nodeLifecycle = newValue } }
    }

    /// Runs every controller once, now, as its own loop would (a pass that is not due, such as
    /// the node lifecycle controller's before its monitor period has passed on the master's
    /// clock, does nothing). With a manual clock, a test moves the clock and calls this instead
    /// of waiting for the loop.
    public func runControllers() {
        controllerLoop.passNow()
    }

    /// Runs a registry operation on the store, as one atomic write.
    func storeWrite<T>(_ body: (inout StoreState, Registry) throws -> T) throws -> T {
        try store.write { try body(&$0, registry) }
    }

    // MARK: Faults

    /// Cuts every open watch connection abruptly, mid-stream, without the terminating chunk.
    public func breakWatches() {
        for connection in server.watchConnections { connection.abort() }
        store.wake()
    }

    /// Forgets the watch history: a watch from any resourceVersion older than the current one
    /// gets a single ERROR event with a 410 Expired Status.
    public func compactHistory() {
        store.write { $0.compact() }
    }

    /// While on, every request is answered 503 with a ServiceUnavailable Status (open watches
    /// are left alone; combine with `breakWatches()` for a master that went away).
    public func setUnavailable(_ on: Bool) {
        faults.unavailable = on
    }

    /// A network partition between the master and its clients: while on, no request is
    /// answered (each connection is closed without a response, so clients see a transport
    /// error at once rather than after a time-out) and open watches are cut. Everything on the
    /// master's side goes on: the controllers run (the node lifecycle controller sees the
    /// heartbeats stop), and the facade's operations work. Switched off, everything answers
    /// again; watches resume from where their clients left off.
    public func setPartitioned(_ on: Bool) {
        faults.partitioned = on
        if on { breakWatches() }
    }

    /// The next `count` requests other than watches get `status` with the Status body the API
    /// server sends for that code.
    public func failNext(_ count: Int, status: Int) {
        faults.failNext(count, status: status)
    }

    /// While on, watches (open ones and new ones) go silent: a new watch gets its headers and
    /// then nothing, not even bookmarks. A watch that went silent stays silent until it is cut.
    public func hangWatches(_ on: Bool) {
        faults.hangingWatches = on
        store.wake()
    }

    /// What hung watches have held back so far: a test waits for a revision to be passed over
    /// silently instead of sleeping to see nothing arrive.
    public var watchSilence: WatchSilence { faults.silence }

    // MARK: Observability

    /// Requests received at or after a time, in order.
    public func requests(since: Date = .distantPast) -> [RequestRecord] {
        log.records(since: since)
    }

    /// How many requests of each verb and resource arrived since a time.
    public func requestCounts(since: Date = .distantPast) -> [RequestKind: Int] {
        var counts: [RequestKind: Int] = [:]
        for record in log.records(since: since) {
            counts[RequestKind(verb: record.verb, resource: record.resource), default: 0] += 1
        }
        return counts
    }

    /// Watch streams open right now.
    public var openWatchCount: Int { server.watchConnections.count }

    /// The stored object, or nil.
    ///
    /// - Parameters:
    ///   - kind: A kind ("Pod") or resource name ("pods").
    ///   - namespace: Ignored for cluster-scoped kinds; `default` when nil.
    public func object(kind: String, namespace: String? = nil, name: String) -> JSONValue? {
        guard let resource = Resource(kindOrName: kind) else { return nil }
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "default" : "", name: name)
        return store.read { $0.get(resource, key) }
    }

    /// The stored objects of a kind, in a namespace or (nil) all of them, ordered by namespace
    /// and name.
    public func objects(kind: String, namespace: String? = nil) -> [JSONValue] {
        guard let resource = Resource(kindOrName: kind) else { return [] }
        return store.read { $0.list(resource, namespace: resource.namespaced ? namespace : nil) }
    }

    /// The pods, decoded as KubeAPI pods.
    public func pods(namespace: String? = nil) -> [Pod] {
        objects(kind: "pods", namespace: namespace).compactMap { try? $0.decode(Pod.self) }
    }

    /// The stored node, or nil.
    public func node(_ name: String) -> JSONValue? {
        object(kind: "nodes", name: name)
    }

    /// The stored events of a namespace, or of all (nil).
    public func events(namespace: String? = nil) -> [JSONValue] {
        objects(kind: "events", namespace: namespace)
    }

    /// The Endpoints object of a service, decoded as KubeAPI's `Endpoints`.
    public func endpoints(namespace: String = "default", name: String) -> Endpoints? {
        object(kind: "endpoints", namespace: namespace, name: name).flatMap { try? $0.decode(Endpoints.self) }
    }

    /// Waits until a condition on the double holds, re-checking after every write.
    ///
    /// - Returns: Whether it held before the timeout.
    public func waitUntil(timeout: Duration = .seconds(10), _ condition: @escaping @Sendable (MasterDouble) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(self)
    }
}
