/// One problem with one field of an object, worded like the API server's validation errors:
/// `spec.containers[0].resources.limits.memory: Invalid value: "12Qi": <detail>`.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of problem the API server distinguishes; each reads differently.
    public enum Kind: Sendable, Equatable {
        /// The field must be set.
        case required
        /// The value is not acceptable (the default).
        case invalid
        /// The value repeats one that must be unique.
        case duplicate
        /// The value is not one of a fixed set; `detail` lists the set.
        case notSupported
        /// The value refers to something that does not exist.
        case notFound
        /// The field may not be set here.
        case forbidden
    }

    /// The field's path from the object root: `spec.containers[0].ports[1].containerPort`.
    public let field: String
    /// The offending value as text ("" for `required`).
    public let value: String
    /// Why the value is wrong, or what would be right.
    public let detail: String
    public let kind: Kind

    public init(field: String, value: String = "", detail: String = "", kind: Kind = .invalid) {
        self.field = field
        self.value = value
        self.detail = detail
        self.kind = kind
    }

    public var description: String {
        let quoted = "\"\(value)\""
        let head: String
        switch kind {
        case .required: head = "\(field): Required value"
        case .invalid: head = "\(field): Invalid value: \(quoted)"
        case .duplicate: head = "\(field): Duplicate value: \(quoted)"
        case .notSupported: head = "\(field): Unsupported value: \(quoted)"
        case .notFound: head = "\(field): Not found: \(quoted)"
        case .forbidden: head = "\(field): Forbidden"
        }
        return detail.isEmpty ? head : "\(head): \(detail)"
    }
}
