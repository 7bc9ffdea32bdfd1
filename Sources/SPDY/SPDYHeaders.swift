/// The name/value header block of a SYN_STREAM, SYN_REPLY or HEADERS frame: ordered
/// (name, value) pairs with lowercase names, as SPDY/3 requires on the wire.
///
/// A name may appear more than once; on the wire its values travel as one entry joined by NUL
/// (Go's spdy framer, which kubectl uses, rejects a block that repeats a name).
public struct SPDYHeaders: Sendable, Equatable, Hashable {
    /// One header: a lowercase name and one of its values.
    public struct Field: Sendable, Equatable, Hashable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name.lowercased()
            self.value = value
        }
    }

    /// The headers in order.
    public private(set) var fields: [Field]

    public init() { fields = [] }

    /// - Parameter pairs: (name, value) pairs in order; names are lowercased.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Appends a value for `name` (lowercased), after any values it already has.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// The first value of `name` (case-insensitive); setting replaces every value of it (nil
    /// removes it).
    public subscript(name: String) -> String? {
        get {
            let key = name.lowercased()
            return fields.first { $0.name == key }?.value
        }
        set {
            let key = name.lowercased()
            if let newValue {
                if let index = fields.firstIndex(where: { $0.name == key }) {
                    fields[index] = Field(name: key, value: newValue)
                    fields = fields.enumerated().filter { $0.offset <= index || $0.element.name != key }.map(\.element)
                } else {
                    fields.append(Field(name: key, value: newValue))
                }
            } else {
                fields.removeAll { $0.name == key }
            }
        }
    }

    /// Every value of `name` (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name == key }.map(\.value)
    }

    /// The pairs in order.
    public var pairs: [(name: String, value: String)] { fields.map { ($0.name, $0.value) } }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }
}

extension SPDYHeaders: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}

extension SPDYHeaders: Sequence {
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

extension SPDYHeaders: CustomStringConvertible {
    public var description: String {
        "[" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
