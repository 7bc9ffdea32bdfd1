/// Why `<prefix>/config` cannot be used, naming the field as the user wrote it in flannel's terms.
public enum NetworkConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a JSON object.
    case notJSON(detail: String)
    /// A field is missing that has no default.
    case missing(field: String)
    /// A field has the wrong JSON type or an unparsable value.
    case invalid(field: String, value: String, reason: String)
    /// The backend type cannot be run by clc-node.
    case unsupportedBackend(type: String, reason: String)

    public var description: String {
        switch self {
        case let .notJSON(detail): "network config is not a JSON object: \(detail)"
        case let .missing(field): "network config: \(field) is required"
        case let .invalid(field, value, reason): "network config: \(field) \(value): \(reason)"
        case let .unsupportedBackend(type, reason): "network config: Backend.Type \"\(type)\": \(reason)"
        }
    }
}
