/// Reads `CLC_NODE_<OPTION>` environment variables as if they were flags of `clc-node run`.
enum EnvironmentFlags {
    /// An option that the environment may set.
    struct Option: Sendable {
        var name: String
        /// A flag without a value (`--foo`), set by "1", "true" or "yes".
        var isFlag = false
        /// An option without a default (`--master`): an empty variable leaves it unset. Any other
        /// option set to an empty variable gets the empty value (`CLC_NODE_METRICS_BIND_ADDRESS=`
        /// turns the metrics server off), as the same `--option=` on the command line would.
        var emptyMeansUnset = false
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
            guard !given, let value = environment[variableName(for: option.name)] else { continue }
            if value.isEmpty && (option.isFlag || option.emptyMeansUnset) { continue }
            if option.isFlag {
                if ["1", "true", "yes"].contains(value.lowercased()) { merged.append(flag) }
            } else {
                // ArgumentParser reads `--option=` as a missing value, so an empty one goes as
                // its own word; others stay joined, so that a value starting with "-" is no flag.
                merged.append(contentsOf: value.isEmpty ? [flag, value] : [flag + "=" + value])
            }
        }
        return merged
    }
}

import Foundation
