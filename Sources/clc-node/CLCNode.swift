import ArgumentParser
import Foundation

/// `clc-node`: the node agent's command line.
@main
struct CLCNode: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "clc-node",
        abstract: "Kubernetes node agent: runs the node's pods on Docker (the kubelet's job).",
        discussion: """
            Every option of `run` can also be set through an environment variable named \
            CLC_NODE_ and the option's name in upper case with dashes as underscores, e.g. \
            CLC_NODE_MANIFEST_DIR=/etc/kubernetes/manifests, so that a systemd EnvironmentFile \
            can configure the agent. A flag on the command line wins over the environment.
            """,
        version: version,
        subcommands: [Run.self, EnvironmentCommand.self],
        defaultSubcommand: nil)

    static func main() async {
        let arguments = EnvironmentFlags.merge(
            arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
            options: Run.environmentOptions)
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
