import KubeAPI

/// The objects a reflector holds, by key, kept as the array it delivers: the consumers (pod
/// manager, service proxy) then share that array's storage with the store instead of each
/// delivery making a copy; with 10,000 services and endpoints that is several megabytes.
///
/// An object keeps its position while it is replaced; a removal moves the last object into its
/// place. The store also notes which objects changed since the last `takeDelta()`, so that a
/// delivery can say what it brings (`ObjectDelta`).
struct ObjectStore<Resource: Sendable>: Sendable {
    private(set) var items: [Resource] = []
    private var positions: [String: Int] = [:]
    /// Changed since the last `takeDelta()`: each key's last state, and whether it was deleted.
    private var changes: [String: (object: Resource, deleted: Bool)] = [:]

    var count: Int { items.count }

    init() {}

    /// The store holding `objects`, the last of each key winning, with no changes noted.
    init(_ objects: [Resource], key: (Resource) -> String) {
        for object in objects { upsert(object, key: key(object)) }
        changes = [:]
    }

    mutating func upsert(_ object: Resource, key: String) {
        changes[key] = (object, false)
        if let position = positions[key] {
            items[position] = object
        } else {
            positions[key] = items.count
            items.append(object)
        }
    }

    /// Removes the object under `key`; `object` is its last state, as the DELETED event carries it.
    mutating func remove(_ object: Resource, key: String, keyOf: (Resource) -> String) {
        guard let position = positions.removeValue(forKey: key) else {
            // Not held: nothing changes.
            return
        }
        changes[key] = (object, true)
        let last = items.removeLast()
        if position < items.count {
            items[position] = last
            positions[keyOf(last)] = position
        }
    }

    /// The changes since the last call, and forgets them.
    mutating func takeDelta() -> ObjectDelta<Resource> {
        var delta = ObjectDelta<Resource>()
        for change in changes.values {
            if change.deleted { delta.deleted.append(change.object) } else { delta.updated.append(change.object) }
        }
        changes = [:]
        return delta
    }
}
