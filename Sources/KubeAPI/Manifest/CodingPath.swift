/// Renders a coding path the way Kubernetes names fields: `spec.containers[0].ports[0].name`.
///
/// Both JSONDecoder and Yams name array positions "Index N"; any other key is a field name, even
/// one that looks like a number (a label key "1").
func fieldPath(_ codingPath: [any CodingKey]) -> String {
    var path = ""
    for key in codingPath {
        if let index = key.intValue, key.stringValue == "Index \(index)" {
            path += "[\(index)]"
        } else {
            path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return path
}

/// A reader's name for the type a decoder expected.
func expectedTypeName(_ type: Any.Type) -> String {
    switch type {
    case is Int32.Type: return "a 32-bit integer"
    case is Int64.Type: return "a 64-bit integer"
    case is Int.Type: return "an integer"
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    case is Double.Type, is Float.Type: return "a number"
    case is IntOrString.Type: return "an integer or a string"
    case is Quantity.Type: return "a quantity (a string like \"500m\" or a number)"
    default:
        let name = String(describing: type)
        // JSONDecoder names containers by Swift type, Yams by its node type.
        if name.hasPrefix("Array<") || name.hasSuffix("Sequence") { return "a list" }
        if name.hasPrefix("Dictionary<") || name.hasSuffix("Mapping") { return "an object" }
        return name
    }
}
