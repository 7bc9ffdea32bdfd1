import Foundation

/// Everything the master stores, like etcd with one global revision, plus the watch history.
struct StoreState: Sendable {
    private(set) var revision: Int64 = 0
    private var objects: [Resource: [ObjectKey: JSONValue]] = [:]
    private(set) var history: [StoredEvent] = []
    /// A watch may resume from this revision or later; older ones are answered 410
    /// (the watch cache's "oldest - 1").
    private(set) var floor: Int64 = 0
    /// Past this many events the oldest half is forgotten, as the watch cache's ring buffer
    /// forgets (kube-apiserver keeps far fewer per resource by default).
    var historyCapacity = 10_000

    func get(_ resource: Resource, _ key: ObjectKey) -> JSONValue? {
        objects[resource]?[key]
    }

    /// Objects of a resource in key order (namespace, then name), as etcd lists them.
    func list(_ resource: Resource, namespace: String? = nil) -> [JSONValue] {
        guard let all = objects[resource] else { return [] }
        return all.keys.sorted()
            .filter { namespace == nil || $0.namespace == namespace }
            .map { all[$0]! }
    }

    func keys(_ resource: Resource) -> [ObjectKey] {
        (objects[resource]?.keys).map { $0.sorted() } ?? []
    }

    /// Stores an object under a new revision and records ADDED or MODIFIED.
    @discardableResult
    mutating func put(_ resource: Resource, _ object: JSONValue) -> JSONValue {
        revision += 1
        var stored = object
        stored[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        let key = ObjectKey(namespace: stored.namespace ?? "", name: stored.name ?? "")
        let previous = objects[resource]?[key]
        objects[resource, default: [:]][key] = stored
        record(StoredEvent(
            type: previous == nil ? .added : .modified, resource: resource, object: stored, previous: previous,
            revision: revision))
        return stored
    }

    /// Removes an object and records DELETED with the object stamped with this revision, as the
    /// etcd3 watcher reports deletions.
    @discardableResult
    mutating func remove(_ resource: Resource, _ key: ObjectKey) -> JSONValue? {
        guard var object = objects[resource]?.removeValue(forKey: key) else { return nil }
        revision += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        record(StoredEvent(type: .deleted, resource: resource, object: object, previous: nil, revision: revision))
        return object
    }

    /// The events after a revision, or nil when that revision is older than the history keeps.
    func events(after start: Int64) -> ArraySlice<StoredEvent>? {
        if start < floor { return nil }
        var low = 0
        var high = history.count
        while low < high {
            let middle = (low + high) / 2
            if history[middle].revision <= start { low = middle + 1 } else { high = middle }
        }
        return history[low...]
    }

    /// Forgets the whole history: watches from any earlier revision now get 410.
    mutating func compact() {
        history.removeAll()
        floor = revision
    }

    private mutating func record(_ event: StoredEvent) {
        history.append(event)
        if history.count > historyCapacity {
            let dropped = history.count - historyCapacity / 2
            floor = history[dropped - 1].revision
            history.removeFirst(dropped)
        }
    }
}
