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
            can configure the agent. A flag on the command line wins over the environment. \
            kubelet's names are accepted too: --pod-manifest-path, --hostname-override, --root-dir, \
            --pod-infra-container-image, --api-servers, --docker-endpoint, --sync-frequency, \
            --node-status-update-frequency and -v; and `run --config FILE` reads a \
            KubeletConfiguration (kubelet.config.k8s.io/v1beta1), whose fields the command line \
            and the environment override.
            """,
        version: version,
        subcommands: [Run.self, Version.self, EnvironmentCommand.self],
        defaultSubcommand: nil)

    static func main() async {
        do {
            let (arguments, warnings) = try CommandLineAssembly.assemble(
                Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
                options: Run.environmentOptions)
            StartupNotes.warnings.withLock { $0 = warnings }
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
