/// Reads `CLC_NODE_<OPTION>` environment variables as if they were flags of `clc-node run`.
enum EnvironmentFlags {
    /// An option that the environment may set.
    struct Option: Sendable {
        var name: String
        /// A flag without a value (`--foo`), set by "1", "true" or "yes".
        var isFlag = false
    }

    static func variableName(for option: String) -> String {
        "CLC_NODE_" + option.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Appends `--option value` for every option the environment sets and the command line
    /// does not, when the command is `run`.
    static func merge(arguments: [String], environment: [String: String], options: [Option]) -> [String] {
        guard arguments.first == "run" else { return arguments }
        var merged = arguments
        for option in options {
            let flag = "--" + option.name
            let given = arguments.contains { $0 == flag || $0.hasPrefix(flag + "=") }
            guard !given, let value = environment[variableName(for: option.name)], !value.isEmpty else { continue }
            if option.isFlag {
                if ["1", "true", "yes"].contains(value.lowercased()) { merged.append(flag) }
            } else {
                merged.append(flag + "=" + value)
            }
        }
        return merged
    }
}

import Foundation
