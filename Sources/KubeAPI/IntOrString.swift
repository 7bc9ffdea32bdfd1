/// A field that holds either a number or a name, such as a probe's port (`80` or `"http"`).
///
/// It decodes from a JSON/YAML number or string and encodes back the same way, so a named port
/// round-trips as a name. A quoted YAML number (`port: "80"`) stays a string, as in Kubernetes.
public enum IntOrString: Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral
{
    case int(Int32)
    case string(String)

    public init(integerLiteral value: Int32) {
        self = .int(value)
    }

    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int32.self) {
            self = .int(number)
        } else if let name = try? container.decode(String.self) {
            self = .string(name)
        } else {
            throw DecodingError.typeMismatch(
                IntOrString.self,
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected a 32-bit integer or a string"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let name): try container.encode(name)
        }
    }

    public var description: String {
        switch self {
        case .int(let number): String(number)
        case .string(let name): name
        }
    }
}
