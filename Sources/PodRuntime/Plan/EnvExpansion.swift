/// Kubernetes' `$(VAR)` expansion in env values, command and args: a reference to a defined
/// variable is replaced, `$$` escapes a dollar, anything else stays as written.
public enum EnvExpansion {
    public static func expand(_ input: String, with variables: [String: String]) -> String {
        guard input.contains("$") else { return input }
        var output = ""
        var index = input.startIndex
        while index < input.endIndex {
            let character = input[index]
            let next = input.index(after: index)
            guard character == "$", next < input.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if input[next] == "$" {
                output.append("$")
                index = input.index(after: next)
            } else if input[next] == "(", let close = input[next...].firstIndex(of: ")") {
                let name = String(input[input.index(after: next)..<close])
                if let value = variables[name] {
                    output.append(value)
                } else {
                    output.append(contentsOf: input[index...close])
                }
                index = input.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }
}
