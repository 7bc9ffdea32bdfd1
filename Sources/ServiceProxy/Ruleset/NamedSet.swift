import IPv4

/// A named set or verdict map of the table.
public struct NamedSet: Sendable, Hashable {
    /// The data types nft knows keys by (`type ipv4_addr . inet_proto . inet_service`).
    public enum DataType: String, Sendable, Hashable {
        case ipv4Address = "ipv4_addr"
        case inetProto = "inet_proto"
        case inetService = "inet_service"

        /// nft's datatype number (TYPE_IPADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE).
        var number: UInt32 {
            switch self {
            case .ipv4Address: 7
            case .inetProto: 12
            case .inetService: 13
            }
        }

        /// Bytes of the value; each field of a concatenation takes a multiple of 4.
        var length: Int {
            switch self {
            case .ipv4Address: 4
            case .inetProto: 1
            case .inetService: 2
            }
        }
    }

    public var name: String
    public var key: [DataType]
    /// True for a verdict map (`: verdict`); false for a plain set.
    public var isVerdictMap: Bool
    /// `flags dynamic`: rules may add elements (`update @set`).
    public var isDynamic: Bool
    /// `timeout`: how long an element lives after its last update, in seconds.
    public var timeoutSeconds: UInt32?
    /// `size`: the most elements the set holds. The kernel gives dynamic sets 65535 when none is
    /// asked for, and lists it; we ask for it so the listing matches the rendering.
    public var size: UInt32?
    /// Static elements, by key. Sets keep the verdict nil.
    public var elements: [SetKey: Verdict?]

    /// A verdict map, e.g. `map service-ips { type ipv4_addr . inet_proto . inet_service : verdict }`.
    public static func verdictMap(_ name: String, key: [DataType], elements: [SetKey: Verdict] = [:]) -> NamedSet {
        NamedSet(
            name: name, key: key, isVerdictMap: true, isDynamic: false, timeoutSeconds: nil, size: nil,
            elements: elements.mapValues { Optional($0) })
    }

    /// A set of addresses that rules add to, whose elements expire (session affinity).
    public static func dynamicAddressSet(_ name: String, timeoutSeconds: UInt32) -> NamedSet {
        NamedSet(
            name: name, key: [.ipv4Address], isVerdictMap: false, isDynamic: true, timeoutSeconds: timeoutSeconds,
            size: 65535, elements: [:])
    }

    public init(
        name: String, key: [DataType], isVerdictMap: Bool, isDynamic: Bool, timeoutSeconds: UInt32?, size: UInt32?,
        elements: [SetKey: Verdict?]
    ) {
        self.name = name
        self.key = key
        self.isVerdictMap = isVerdictMap
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

    /// Chains that elements of this map go to.
    public var referencedChains: Set<String> { Set(elements.values.compactMap { $0?.chain }) }
}

/// The key of a set element: one value per field of the set's type.
public struct SetKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Value: Sendable, Hashable, Comparable {
        case address(IPv4Address)
        case proto(TransportProtocol)
        case port(UInt16)

        var text: String {
            switch self {
            case .address(let address): address.description
            case .proto(let proto): proto.rawValue
            case .port(let port): String(port)
            }
        }

        /// The value's bytes as the kernel stores them, padded to 4 bytes.
        var registerBytes: [UInt8] {
            switch self {
            case .address(let address): address.networkBytes
            case .proto(let proto): [proto.number, 0, 0, 0]
            case .port(let port): [UInt8(port >> 8), UInt8(port & 0xff), 0, 0]
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
