extension JSONValue {
    /// The member `key` of an object; nil for a missing key or a non-object. Setting on a
    /// non-object turns it into an object; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            var members: [String: JSONValue]
            if case .object(let existing) = self { members = existing } else { members = [:] }
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The value at a path of object keys (`["metadata", "name"]`); setting creates the objects
    /// on the way and setting nil removes the last key.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key] }
            return current
        }
        set {
            guard let first = path.first else {
                self = newValue ?? .null
                return
            }
            if path.count == 1 {
                self[first] = newValue
                return
            }
            var child = self[first] ?? .object([:])
            if case .object = child {} else { child = .object([:]) }
            child[path: Array(path.dropFirst())] = newValue
            self[first] = child
        }
    }

    /// The text of a string; nil for other values.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Integers, and doubles that hold a whole number.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9e18: return Int64(value)
        default: return nil
        }
    }

    /// The flag of a boolean; nil for other values.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of an array; nil for other values.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members of an object; nil for other values.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A `map[string]string` such as labels or a selector; nil when absent or not an object.
    var stringMap: [String: String]? {
        guard let members = objectValue else { return nil }
        var result: [String: String] = [:]
        for (key, value) in members {
            if let text = value.stringValue { result[key] = text }
        }
        return result
    }

    /// Convenience for the metadata fields every object has.
    var name: String? { self[path: ["metadata", "name"]]?.stringValue }
    var namespace: String? { self[path: ["metadata", "namespace"]]?.stringValue }
    var uid: String? { self[path: ["metadata", "uid"]]?.stringValue }
    var resourceVersion: String? { self[path: ["metadata", "resourceVersion"]]?.stringValue }
    var labels: [String: String] { self[path: ["metadata", "labels"]]?.stringMap ?? [:] }
    var isTerminating: Bool {
        if let stamp = self[path: ["metadata", "deletionTimestamp"]], !stamp.isNull { return true }
        return false
    }

    init(stringMap: [String: String]) {
        self = .object(stringMap.mapValues { .string($0) })
    }
}
