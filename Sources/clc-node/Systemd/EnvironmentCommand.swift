import ArgumentParser
import Foundation

/// `clc-node environment` (hidden): the `CLC_NODE_*` variables `run` reads, one a line, so the
/// env file's drift test and its generator (scripts/gen-env-file.py) see what the binary reads;
/// with `--check`, parses and validates the current environment as `clc-node run` would,
/// without running, so that an env file rendered by Heat is checked before it reaches a node.
struct EnvironmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment",
        abstract: "List the CLC_NODE_* variables `run` reads, or check the current ones (--check).",
        shouldDisplay: false)

    @Flag(help: "Parse and validate the CLC_NODE_* variables of the environment as `clc-node run` would.")
    var check = false

    func run() throws {
        guard check else {
            for option in Run.environmentOptions { print(EnvironmentFlags.variableName(for: option.name)) }
            return
        }
        let arguments = EnvironmentFlags.merge(
            arguments: ["run"], environment: ProcessInfo.processInfo.environment, options: Run.environmentOptions)
        do {
            _ = try Run.parse(Array(arguments.dropFirst()))
        } catch {
            throw ValidationError("CLC_NODE_* variables: \(Run.message(for: error))")
        }
        print("ok: \(arguments.count - 1) arguments from the environment")
    }
}
