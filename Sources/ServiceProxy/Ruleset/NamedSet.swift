import IPv4

/// A named set, verdict map or data map of the table.
public struct NamedSet: Sendable, Hashable {
    /// The data types nft knows keys by (`type ipv4_addr . inet_proto . inet_service`).
    public enum DataType: String, Sendable, Hashable {
        case ipv4Address = "ipv4_addr"
        case inetProto = "inet_proto"
        case inetService = "inet_service"
        /// A 32-bit number in host byte order, e.g. the slot `numgen random mod N` draws.
        case integer = "integer"

        /// nft's datatype number (TYPE_IPADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE, TYPE_INTEGER).
        var number: UInt32 {
            switch self {
            case .ipv4Address: 7
            case .inetProto: 12
            case .inetService: 13
            case .integer: 4
            }
        }

        /// How the kernel is told a (concatenated) type: nft's datatype numbers 6 bits each, and
        /// the length, each field taking a multiple of 4 bytes.
        static func packed(_ types: [DataType]) -> (type: UInt32, length: UInt32) {
            (types.reduce(0) { $0 << 6 | $1.number }, UInt32(types.reduce(0) { $0 + ($1.length + 3) / 4 * 4 }))
        }

        /// Bytes of the value; each field of a concatenation takes a multiple of 4.
        var length: Int {
            switch self {
            case .ipv4Address: 4
            case .inetProto: 1
            case .inetService: 2
            case .integer: 4
            }
        }
    }

    public var name: String
    public var key: [DataType]
    /// What a map maps its keys to; nil for a plain set.
    public var mapping: Mapping?

    /// The values of a map.
    public enum Mapping: Sendable, Hashable {
        /// `: verdict`.
        case verdict
        /// `: ipv4_addr . inet_service`.
        case data([DataType])
    }
    /// `typeof ip daddr . meta l4proto . th dport . numgen random mod 2 : ip daddr . th dport`:
    /// the expressions the key (and a data map's value) are declared by, where a type name
    /// alone would not do (nft needs them to type a numgen field or a ct address, and to read
    /// the set back); nil for a set declared by `type`.
    public var typeof: Typeof?

    /// The expressions of a `typeof` declaration.
    public struct Typeof: Sendable, Hashable {
        public var key: [Statement.KeyField]
        public var data: [Statement.KeyField]?
    }
    /// `flags dynamic`: rules may add elements (`update @set`).
    public var isDynamic: Bool
    /// `timeout`: how long an element lives after its last update, in seconds.
    public var timeoutSeconds: UInt32?
    /// `size`: the most elements the set holds. The kernel gives dynamic sets 65535 when none is
    /// asked for, and lists it; we ask for it so the listing matches the rendering.
    public var size: UInt32?
    /// Static elements, by key: nil for a set's, a verdict for a verdict map's, a value for a
    /// data map's.
    public var elements: [SetKey: ElementValue?]

    /// A verdict map, e.g. `map service-ips { type ipv4_addr . inet_proto . inet_service : verdict }`.
    public static func verdictMap(_ name: String, key: [DataType], elements: [SetKey: Verdict] = [:]) -> NamedSet {
        NamedSet(
            name: name, key: key, mapping: .verdict, isDynamic: false, timeoutSeconds: nil, size: nil,
            elements: elements.mapValues { .verdict($0) })
    }

    /// A data map declared by expressions, e.g. `map cluster-backends-2 { typeof ip daddr .
    /// meta l4proto . th dport . numgen random mod 2 : ip daddr . th dport }`.
    public static func dataMap(_ name: String, typeof key: [Statement.KeyField], data: [Statement.KeyField]) -> NamedSet {
        var map = NamedSet(
            name: name, key: key.map(\.dataType), mapping: .data(data.map(\.dataType)), isDynamic: false,
            timeoutSeconds: nil, size: nil, elements: [:])
        map.typeof = Typeof(key: key, data: data)
        return map
    }

    /// A set of keys, e.g. `set cluster-ips { type ipv4_addr . inet_proto . inet_service }`.
    public static func set(_ name: String, key: [DataType]) -> NamedSet {
        NamedSet(name: name, key: key, mapping: nil, isDynamic: false, timeoutSeconds: nil, size: nil, elements: [:])
    }

    /// A set declared by expressions, e.g. `set hairpin { typeof ct original ip daddr . ip saddr . ip daddr }`.
    public static func set(_ name: String, typeof key: [Statement.KeyField]) -> NamedSet {
        var set = NamedSet.set(name, key: key.map(\.dataType))
        set.typeof = Typeof(key: key, data: nil)
        return set
    }

    /// A set of addresses that rules add to, whose elements expire (session affinity).
    public static func dynamicAddressSet(_ name: String, timeoutSeconds: UInt32) -> NamedSet {
        NamedSet(
            name: name, key: [.ipv4Address], mapping: nil, isDynamic: true, timeoutSeconds: timeoutSeconds,
            size: 65535, elements: [:])
    }

    public init(
        name: String, key: [DataType], mapping: Mapping?, isDynamic: Bool, timeoutSeconds: UInt32?, size: UInt32?,
        elements: [SetKey: ElementValue?]
    ) {
        self.name = name
        self.key = key
        self.mapping = mapping
        self.isDynamic = isDynamic
        self.timeoutSeconds = timeoutSeconds
        self.size = size
        self.elements = elements
    }

    /// Everything but the elements: two sets with the same definition can be updated element by
    /// element; a different definition means delete and re-create.
    public var definition: NamedSet {
        var copy = self
        copy.elements = [:]
        return copy
    }

    /// `map` for verdict and data maps, `set` for sets.
    public var isMap: Bool { mapping != nil }

    /// Chains that elements of this map go to.
    public var referencedChains: Set<String> { Set(elements.values.compactMap { $0?.verdict?.chain }) }
}

/// What a map element maps its key to: a verdict, or a value of the map's data type.
public enum ElementValue: Sendable, Hashable {
    case verdict(Verdict)
    case data(SetKey)

    /// `goto chain`, the value of a dispatch map's element.
    public static func goto(_ chain: String) -> ElementValue { .verdict(.goto(chain)) }

    public var verdict: Verdict? {
        if case .verdict(let verdict) = self { return verdict }
        return nil
    }
}

/// The key of a set element: one value per field of the set's type.
public struct SetKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Value: Sendable, Hashable, Comparable {
        case address(IPv4Address)
        case proto(TransportProtocol)
        case port(UInt16)
        /// A slot number, as `numgen` draws it (host byte order).
        case slot(UInt32)

        var text: String {
            switch self {
            case .address(let address): address.description
            case .proto(let proto): proto.rawValue
            case .port(let port): String(port)
            case .slot(let value): String(value)
            }
        }

        /// The value's bytes as the kernel stores them, padded to 4 bytes.
        var registerBytes: [UInt8] {
            switch self {
            case .address(let address): address.networkBytes
            case .proto(let proto): [proto.number, 0, 0, 0]
            case .port(let port): [UInt8(port >> 8), UInt8(port & 0xff), 0, 0]
            case .slot(let value): hostBytes(value)
            }
        }
    }

    public var values: [Value]

    public init(_ values: Value...) { self.values = values }

    public init(_ values: [Value]) { self.values = values }

    /// `10.254.0.10 . tcp . 80`.
    public var description: String { values.map(\.text).joined(separator: " . ") }

    public static func < (lhs: SetKey, rhs: SetKey) -> Bool { lhs.values.lexicographicallyPrecedes(rhs.values) }
}
