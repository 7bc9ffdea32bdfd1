/// A field selector (`fieldSelector`): `field=value`, `field==value`, `field!=value`, joined by
/// commas, over the fields the resource makes selectable.
struct FieldSelector: Sendable, Hashable {
    struct Term: Sendable, Hashable {
        var field: String
        var value: String
        var negated: Bool
    }

    var terms: [Term] = []

    static let everything = FieldSelector()

    private init() {}

    /// - Throws: `APIStatusError.badRequest` for a malformed term or a field the resource does
    ///   not support ("field label not supported: x"), as the API server answers.
    init(parsing text: String, for resource: Resource) throws {
        for rawTerm in text.split(separator: ",") {
            let term = String(rawTerm)
            let parsed: Term
            if let range = term.range(of: "!=") {
                parsed = Term(field: String(term[..<range.lowerBound]), value: String(term[range.upperBound...]), negated: true)
            } else if let range = term.range(of: "==") {
                parsed = Term(field: String(term[..<range.lowerBound]), value: String(term[range.upperBound...]), negated: false)
            } else if let range = term.range(of: "=") {
                parsed = Term(field: String(term[..<range.lowerBound]), value: String(term[range.upperBound...]), negated: false)
            } else {
                throw APIStatusError.badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            guard resource.selectableFields.contains(parsed.field) else {
                throw APIStatusError.badRequest("field label not supported: \(parsed.field)")
            }
            terms.append(parsed)
        }
    }

    /// The value named by a selectable field; booleans as "true"/"false" and absent fields as
    /// "" (as the API server's field sets hold them).
    static func value(of field: String, in object: JSONValue) -> String {
        if field == "spec.hostNetwork" {
            return (object[path: ["spec", "hostNetwork"]]?.boolValue ?? false) ? "true" : "false"
        }
        if field == "spec.unschedulable" {
            return (object[path: ["spec", "unschedulable"]]?.boolValue ?? false) ? "true" : "false"
        }
        let path = field.split(separator: ".").map(String.init)
        switch object[path: path] {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return ""
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            (FieldSelector.value(of: term.field, in: object) == term.value) != term.negated
        }
    }
}
