import ArgumentParser
import Foundation

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

    /// Every option and flag of `command` that `--help` shows (hidden ones are for tests), from
    /// ArgumentParser's own description of it (`_dumpHelp`, the JSON of
    /// `--experimental-dump-help`), so that a new flag is an environment variable too without a
    /// second list to keep in step: a flag is set by a yes-word, an option without a default is
    /// left unset by an empty variable.
    static func options(of command: any ParsableArguments.Type) -> [Option] {
        struct Dump: Decodable {
            struct Command: Decodable { var arguments: [Argument]? }
            struct Argument: Decodable {
                struct Name: Decodable { var kind: String; var name: String }
                var kind: String
                var shouldDisplay: Bool
                var names: [Name]?
                var defaultValue: String?
            }
            var command: Command
        }
        do {
            let dump = try JSONDecoder().decode(Dump.self, from: Data(command._dumpHelp().utf8))
            return (dump.command.arguments ?? []).compactMap { argument in
                guard argument.shouldDisplay, argument.kind == "option" || argument.kind == "flag",
                    let long = argument.names?.first(where: { $0.kind == "long" })?.name, long != "help"
                else { return nil }
                return Option(name: long, isFlag: argument.kind == "flag", emptyMeansUnset: argument.kind == "option" && argument.defaultValue == nil)
            }
        } catch {
            // The dump is ArgumentParser's own JSON; failing to read it is a bug of this build.
            fatalError("cannot read the options of \(command) from ArgumentParser's dump: \(error)")
        }
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
