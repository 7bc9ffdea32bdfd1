import KubeAPI

/// The service proxy's inputs kept object by object, with the services they give
/// (`ProxiedService`), so that a change costs what it touches: a changed Service, Endpoints
/// object or EndpointSlice recomputes its one service. A whole list (the first, a relist, a
/// poll, the manifest directory's services) is compared object by object with what is held, and
/// this node's pods, where they are the source of endpoints, recompute every service.
///
/// Which services came to differ since the last `takeChanges()` is recorded with the value each
/// had then, so that the sync writes just those (`RulesetSync.sync(changes:node:with:)`) and the
/// conntrack clean-up looks at just those (`StaleConntrack`). A value: the controller owns one.
struct ProxyInputs: Sendable {
    /// Where endpoints come from.
    enum EndpointsSource: Sendable, Equatable {
        /// v1 Endpoints from the master, until EndpointSlices arrive.
        case master
        /// Computed from this node's pods (the manifest directory, no master).
        case localPods
    }

    /// What changed since the last `takeChanges()`: per service, the value it had then (nil:
    /// absent) and the value it has now (nil: gone).
    struct Change: Sendable, Equatable {
        var old: ProxiedService?
        var new: ProxiedService?
    }

    let source: EndpointsSource
    var node: ProxyNodeSettings

    private var services: [ServiceID: Service]?
    private var endpoints: [ServiceID: Endpoints]?
    /// Set once EndpointSlices arrive; they are then the source and `endpoints` is not used.
    private var slices: [String: EndpointSlice]?
    private var slicesByService: [ServiceID: [String: EndpointSlice]] = [:]
    private var localPods: [Pod]?

    /// Every service the proxy serves, as `ServiceProxyState.served` gives it.
    private(set) var proxied: [ServiceID: ProxiedService] = [:]
    /// Per changed service, its value at the last `takeChanges()`.
    private var before: [ServiceID: ProxiedService?] = [:]
    /// What the proxy cannot serve, per service (`ServiceProxyState.problems`).
    private var problems: [ServiceID: [String]] = [:]

    init(source: EndpointsSource, node: ProxyNodeSettings) {
        self.source = source
        self.node = node
    }

    /// True once every input has been listed once: services, and endpoints (from the master) or
    /// this node's pods. Until then nothing may be programmed.
    var isComplete: Bool {
        guard services != nil else { return false }
        switch source {
        case .master: return endpoints != nil || slices != nil
        case .localPods: return localPods != nil
        }
    }

    /// Whether anything changed since the last `takeChanges()`.
    var hasChanges: Bool { !before.isEmpty }

    /// The services that differ from the last `takeChanges()`, and forgets them.
    mutating func takeChanges() -> [ServiceID: Change] {
        var changes: [ServiceID: Change] = [:]
        for (id, old) in before where old != proxied[id] { changes[id] = Change(old: old, new: proxied[id]) }
        before = [:]
        return changes
    }

    /// Every service, for a sync of the whole table.
    var state: ServiceProxyState {
        ServiceProxyState(services: proxied.values.sorted { $0.id < $1.id }, node: node)
    }

    // MARK: Services

    /// Takes the services; with `delta`, only the services it names are looked at, without it
    /// every one is compared.
    /// - Returns: the problems that were not there before, one sentence each.
    mutating func update(services all: [Service], delta: ObjectDelta<Service>?) -> [String] {
        let touched = Self.merge(all, delta: delta, into: &services, id: \.metadata.serviceID)
        var appeared: [String] = []
        for id in touched {
            let now = services?[id].map { ServiceProxyState.problems(in: [$0], nodePortRange: node.nodePortRange) } ?? []
            appeared += Set(now).subtracting(problems[id] ?? []).sorted()
            problems[id] = now.isEmpty ? nil : now
            refresh(id)
        }
        return appeared
    }

    // MARK: Endpoints

    /// Takes the v1 Endpoints (ignored once EndpointSlices arrived); a delta as for services.
    mutating func update(endpoints all: [Endpoints], delta: ObjectDelta<Endpoints>?) {
        let touched = Self.merge(all, delta: delta, into: &endpoints, id: \.metadata.serviceID)
        guard slices == nil else { return }
        for id in touched { refresh(id) }
    }

    /// Applies a whole set, or a delta once a set is held, to `held`.
    /// - Returns: the services whose objects the update touched: those the delta names, or those
    ///   that differ between the held set and the whole one.
    private static func merge<Object: Equatable>(
        _ all: [Object], delta: ObjectDelta<Object>?, into held: inout [ServiceID: Object]?, id: (Object) -> ServiceID
    ) -> [ServiceID] {
        if let delta, held != nil {
            for object in delta.updated { held![id(object)] = object }
            for object in delta.deleted { held![id(object)] = nil }
            return delta.updated.map(id) + delta.deleted.map(id)
        }
        var next: [ServiceID: Object] = [:]
        for object in all { next[id(object)] = object }
        let previous = held ?? [:]
        held = next
        return next.compactMap { key, object in previous[key] == object ? nil : key } + previous.keys.filter { next[$0] == nil }
    }

    /// Takes the EndpointSlices, which from now on are the source of endpoints; a delta as for
    /// services. A slice belongs to the service its `kubernetes.io/service-name` label names in
    /// its namespace; slices without it are ignored, as kube-proxy ignores them.
    mutating func update(endpointSlices all: [EndpointSlice], delta: ObjectDelta<EndpointSlice>?) {
        var touched = Set<ServiceID>()
        if slices == nil {
            // The source changes: every service is computed again.
            touched = Set(proxied.keys).union(services.map { Array($0.keys) } ?? [])
            slices = [:]
            slicesByService = [:]
            for slice in all { upsert(slice, touched: &touched) }
        } else if let delta {
            for slice in delta.updated { upsert(slice, touched: &touched) }
            for slice in delta.deleted { remove(key: Self.key(of: slice), touched: &touched) }
        } else {
            let next = Dictionary(all.map { (Self.key(of: $0), $0) }, uniquingKeysWith: { _, last in last })
            for key in slices!.keys where next[key] == nil { remove(key: key, touched: &touched) }
            for (key, slice) in next where slices![key] != slice { upsert(slice, touched: &touched) }
        }
        for id in touched { refresh(id) }
    }

    private mutating func upsert(_ slice: EndpointSlice, touched: inout Set<ServiceID>) {
        let key = Self.key(of: slice)
        remove(key: key, touched: &touched)
        slices![key] = slice
        guard let service = slice.serviceName, !service.isEmpty else { return }
        let id = ServiceID(namespace: slice.metadata.namespace ?? "default", name: service)
        slicesByService[id, default: [:]][key] = slice
        touched.insert(id)
    }

    private mutating func remove(key: String, touched: inout Set<ServiceID>) {
        guard let old = slices!.removeValue(forKey: key), let service = old.serviceName, !service.isEmpty else { return }
        let id = ServiceID(namespace: old.metadata.namespace ?? "default", name: service)
        slicesByService[id]?[key] = nil
        if slicesByService[id]?.isEmpty == true { slicesByService[id] = nil }
        touched.insert(id)
    }

    // MARK: Local pods

    /// Takes this node's pods; with `source == .localPods` every service is computed again.
    /// - Returns: false when the pods are the same as before (nothing to do).
    mutating func update(localPods: [Pod]) -> Bool {
        guard localPods != self.localPods else { return false }
        self.localPods = localPods
        guard source == .localPods else { return true }
        for id in services.map({ Array($0.keys) }) ?? [] { refresh(id) }
        return true
    }

    // MARK: Derived services

    /// Computes one service again from its inputs, noting a change.
    private mutating func refresh(_ id: ServiceID) {
        let new = services?[id].flatMap(proxiedService).map { ServiceProxyState.served($0, node: node) }
        let old = proxied[id]
        guard new != old else { return }
        if before.index(forKey: id) == nil { before[id] = .some(old) }
        proxied[id] = new
    }

    private func proxiedService(_ service: Service) -> ProxiedService? {
        let id = service.metadata.serviceID
        switch source {
        case .master:
            if slices != nil {
                let owned = slicesByService[id].map { byKey in byKey.keys.sorted().map { byKey[$0]! } } ?? []
                return ProxiedService(service: service, slices: owned)
            }
            return ProxiedService(service: service, endpoints: endpoints?[id])
        case .localPods:
            return ProxiedService(service: service, endpoints: EndpointsController.endpoints(for: service, pods: localPods ?? []))
        }
    }

    private static func key(of slice: EndpointSlice) -> String {
        "\(slice.metadata.namespace ?? "default")/\(slice.metadata.name ?? "")"
    }
}

extension ObjectMeta {
    /// The service a Service or its Endpoints object stands for.
    fileprivate var serviceID: ServiceID { ServiceID(namespace: namespace ?? "default", name: name ?? "") }
}
