import AgentConfig
import ArgumentParser

/// The command line `clc-node run` parses, assembled in kubelet's order of precedence:
/// kubelet's flag names rewritten to clc-node's, then `CLC_NODE_*` variables for flags the
/// command line does not give, then the `--config` file for flags neither gives; defaults last.
enum CommandLineAssembly {
    /// - Returns: the arguments, and the warnings of the `--config` file.
    /// - Throws: `ValidationError` naming the flag, or the file and its field.
    static func assemble(
        _ arguments: [String], environment: [String: String], options: [EnvironmentFlags.Option]
    ) throws -> (arguments: [String], warnings: [String]) {
        var assembled: [String]
        do {
            assembled = try KubeletFlagAliases.rewrite(arguments)
        } catch {
            throw ValidationError("\(error)")
        }
        assembled = EnvironmentFlags.merge(arguments: assembled, environment: environment, options: options)
        guard assembled.first == "run", let path = ConfigFileFlags.configPath(in: assembled), !path.isEmpty else {
            return (assembled, [])
        }
        do {
            let loaded = try KubeletConfigFile.load(path: path)
            let flags = try loaded.configuration.flags(file: path)
            return (ConfigFileFlags.merge(arguments: assembled, file: flags), loaded.warnings)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
