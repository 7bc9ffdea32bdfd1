/// The objects a reflector holds, by key, kept as the array it delivers: the consumers (pod
/// manager, service proxy) then share that array's storage with the store instead of each
/// delivery making a copy; with 10,000 services and endpoints that is several megabytes.
///
/// An object keeps its position while it is replaced; a removal moves the last object into its
/// place.
struct ObjectStore<Resource: Sendable>: Sendable {
    private(set) var items: [Resource] = []
    private var positions: [String: Int] = [:]

    var count: Int { items.count }

    init() {}

    /// The store holding `objects`, the last of each key winning.
    init(_ objects: [Resource], key: (Resource) -> String) {
        for object in objects { upsert(object, key: key(object)) }
    }

    mutating func upsert(_ object: Resource, key: String) {
        if let position = positions[key] {
            items[position] = object
        } else {
            positions[key] = items.count
            items.append(object)
        }
    }

    mutating func remove(key: String, keyOf: (Resource) -> String) {
        guard let position = positions.removeValue(forKey: key) else { return }
        let last = items.removeLast()
        if position < items.count {
            items[position] = last
            positions[keyOf(last)] = position
        }
    }
}
