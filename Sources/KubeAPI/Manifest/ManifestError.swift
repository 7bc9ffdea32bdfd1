/// Why a manifest file could not be read, naming the file and the field.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The bytes are not UTF-8 text.
        case notUTF8
        /// The text is not valid JSON or YAML (`format` says which was tried). Line and column
        /// count from 1 when the parser reports them.
        case syntax(format: String, message: String, line: Int?, column: Int?)
        /// An object has no `kind`; `field` is its path ("" for the document itself, `items[2]`).
        case missingKind(field: String)
        /// A field holds the wrong type: `spec.containers[0].ports[0].containerPort` expected
        /// "a 32-bit integer".
        case typeMismatch(field: String, expected: String)
        /// A required field is absent or null.
        case missingField(field: String)
        /// A field's value is unusable for another reason, such as a number out of range.
        case invalidValue(field: String, detail: String)
        /// YAML aliases expand the document to more than `limit` nodes (a "billion laughs"
        /// document: aliases of aliases, growing exponentially).
        case excessiveAliasing(limit: Int)
    }

    /// Where the manifest came from, usually its file path.
    public let source: String
    /// The 1-based YAML document number, when the file holds more than one document.
    public let document: Int?
    public let reason: Reason

    public init(source: String, document: Int? = nil, reason: Reason) {
        self.source = source
        self.document = document
        self.reason = reason
    }

    public var description: String {
        var prefix = source
        if let document { prefix += ": document \(document)" }
        switch reason {
        case .notUTF8:
            return "\(prefix): not UTF-8 text"
        case let .syntax(format, message, line, column):
            var position = ""
            if let line { position = ": line \(line)" + (column.map { ", column \($0)" } ?? "") }
            return "\(prefix)\(position): invalid \(format): \(message)"
        case .missingKind(let field):
            let at = field.isEmpty ? "" : "\(field): "
            return "\(prefix): \(at)missing \"kind\" (each object needs apiVersion and kind)"
        case let .typeMismatch(field, expected):
            return "\(prefix): \(Self.fieldName(field)): expected \(expected)"
        case .missingField(let field):
            return "\(prefix): \(Self.fieldName(field)): required field is missing or null"
        case let .invalidValue(field, detail):
            return "\(prefix): \(Self.fieldName(field)): \(detail)"
        case let .excessiveAliasing(limit):
            return "\(prefix): YAML aliases expand the document to more than \(limit) nodes: refused"
        }
    }

    private static func fieldName(_ field: String) -> String {
        field.isEmpty ? "document" : field
    }
}
