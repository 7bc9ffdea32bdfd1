import DockerEngine
import Foundation
import TestSupport

/// Simulated nodes for multi-node tests (scripts/netns-nodes.sh): a network namespace per node
/// with its own dockerd and the test images, joined by an underlay (192.168.77.0/24, eth0 in
/// each node), and a /32 link to the root namespace whose root end, ``rootAddress``, is where
/// the test serves what every node must reach (the master double, etcd). The root namespace
/// routes nothing else; the nodes have no default route.
final class SimulatedNodes: Sendable {
    struct Node: Sendable {
        /// The name the node was given on `up` (`a`, `b`).
        var name: String
        var networkNamespace: String
        /// eth0, on the underlay: the node's InternalIP.
        var address: String
        var dockerSocket: String
        var docker: DockerClient
    }

    let run: String
    let rootAddress: String
    let nodes: [Node]
    /// How long `up` took.
    let startUpTime: Duration

    private init(run: String, rootAddress: String, nodes: [Node], startUpTime: Duration) {
        self.run = run
        self.rootAddress = rootAddress
        self.nodes = nodes
        self.startUpTime = startUpTime
    }

    subscript(name: String) -> Node { nodes.first { $0.name == name }! }

    /// The run's directory; `down` (and `prune`, after a crash) also stops an etcd whose
    /// scripts/etcd.sh directory is `etcd` in it.
    var stateDirectory: String { "/tmp/clc-nodes/\(run)" }

    static let script = TestEnvironment.repositoryRoot + "/scripts/netns-nodes.sh"

    /// Builds the nodes, first removing those of earlier test processes that crashed.
    /// Test images come from the test engine (docker save | load), which scripts/test.sh built.
    static func up(_ names: [String]) async throws -> SimulatedNodes {
        guard getuid() == 0 else {
            throw TestEnvironmentError("simulated nodes need root (network namespaces, dockerd): run the tests as root")
        }
        _ = try await runScript(["prune"])
        let run = String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(6))
        let socket = try TestEnvironment.dockerSocket()
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await runScript(
            ["up", run] + names, environment: ["CLC_NODES_IMAGES_FROM=unix://\(socket)", "CLC_NODES_OWNER=\(getpid())"])
        guard result.succeeded else { throw HostCommand.Failure(result: result) }
        let elapsed = clock.now - started
        var values: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        func value(_ key: String) throws -> String {
            guard let value = values[key] else { throw TestEnvironmentError("netns-nodes.sh up printed no \(key): \(result.output)") }
            return value
        }
        let nodes = try names.map { name in
            let socket = try value("NODE_\(name)_DOCKER_SOCKET")
            return Node(
                name: name, networkNamespace: try value("NODE_\(name)_NETNS"), address: try value("NODE_\(name)_ADDRESS"),
                dockerSocket: socket, docker: DockerClient(socketPath: socket))
        }
        return SimulatedNodes(run: run, rootAddress: try value("ROOT_ADDRESS"), nodes: nodes, startUpTime: elapsed)
    }

    /// Removes the namespaces, links, dockerds and their containers.
    func down() async {
        _ = try? await Self.runScript(["down", run])
    }

    /// Runs the script with its output in files (``DaemonScript``): it leaves dockerds running.
    static func runScript(_ arguments: [String], environment: [String] = []) async throws -> HostCommand.Result {
        try await DaemonScript.run(script, arguments, environment: environment)
    }

    /// Runs a command in `node`'s network namespace (`nsenter --net`).
    @discardableResult
    func exec(_ node: String, _ command: [String]) async throws -> String {
        try await HostCommand.check("/bin/bash", [Self.script, "exec", run, node] + command)
    }

    /// Starts an agent in `node`'s namespace against its dockerd, with `--node-ip` its underlay
    /// address.
    /// - Parameter stateDirectory: its `--state-dir`; a fresh temporary directory when nil.
    func startAgent(on node: String, nodeName: String, manifests: String, arguments: [String], stateDirectory: String? = nil) throws
        -> AgentProcess
    {
        let node = self[node]
        return try AgentProcess(
            nodeName: nodeName, manifestDirectory: manifests, dockerSocket: node.dockerSocket,
            extraArguments: ["--node-ip", node.address] + arguments, networkNamespace: node.networkNamespace,
            stateDirectory: stateDirectory)
    }
}
