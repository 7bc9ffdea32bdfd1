import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport

/// Two simulated nodes (scripts/netns-nodes.sh) whose agents run flannel against one real etcd
/// 3.4 and one master double, both on the harness's root-namespace address, plus a client
/// namespace on the underlay (a machine beside the nodes). What issue 10's end-to-end tests
/// run on; ``with(api:config:_:)`` builds it, runs a test and removes all of it, also when the
/// test fails.
final class FlannelCluster: @unchecked Sendable {
    // @unchecked: used by the one test that built it; `agents` changes only in that test.
    let nodes: SimulatedNodes
    let etcd: TestEtcd
    let master: MasterDouble
    /// The API the config was written under, where the leases are read.
    let api: EtcdAPI
    /// The agents' `--etcd-api`: the config's API or `auto`.
    let apiFlag: String
    let prefix = "/coreos.com/network"
    /// Node names on the master, per simulated node (`a`, `b`).
    let names: [String: String]
    /// The client namespace on the underlay (`nsenter --net`) and its address.
    let clientNamespace: String
    let clientAddress = "192.168.77.200"
    private(set) var agents: [String: AgentProcess] = [:]
    private var manifestDirectories: [String: String] = [:]

    private init(nodes: SimulatedNodes, etcd: TestEtcd, master: MasterDouble, api: EtcdAPI, apiFlag: String) {
        self.nodes = nodes
        self.etcd = etcd
        self.master = master
        self.api = api
        self.apiFlag = apiFlag
        names = ["a": "node-a-\(nodes.run)", "b": "node-b-\(nodes.run)"]
        clientNamespace = "clc-\(nodes.run)-cl"
    }

    /// Builds the nodes, etcd with `config` at `<prefix>/config` under `api`, the master double
    /// and the client namespace, starts both agents, runs `body`, and removes everything; on
    /// failure the agents' and etcd's logs are printed first.
    /// - Parameters:
    ///   - apiFlag: the agents' `--etcd-api`; `api` when nil.
    ///   - config: nil writes none: the agents start without one.
    static func with(
        api: EtcdAPI, apiFlag: String? = nil, config: String?, agentArguments: [String] = [], _ body: (FlannelCluster) async throws -> Void)
        async throws
    {
        let clock = ContinuousClock()
        let started = clock.now
        let nodes = try await SimulatedNodes.up(["a", "b"])
        print("flannel: two-node harness up in \(nodes.startUpTime)")
        var etcd: TestEtcd?
        var master: MasterDouble?
        var cluster: FlannelCluster?
        do {
            etcd = try await TestEtcd.start(host: nodes.rootAddress, directory: nodes.stateDirectory + "/etcd")
            master = try MasterDouble(host: nodes.rootAddress)
            try master!.start()
            let built = FlannelCluster(nodes: nodes, etcd: etcd!, master: master!, api: api, apiFlag: apiFlag ?? api.rawValue)
            cluster = built
            try await built.addClient()
            if let config { try await built.writeConfig(config) }
            for node in ["a", "b"] { try built.startAgent(node, arguments: agentArguments) }
            print("flannel: etcd, master double and both agents started \(clock.now - started) after the start")
            try await body(built)
        } catch {
            if let cluster { cluster.printLogs() }
            if let etcd {
                let log = (try? String(contentsOfFile: etcd.directory + "/etcd.log", encoding: .utf8)) ?? ""
                print("--- etcd log:\n\(log.suffix(3000))")
            }
            await cluster?.tearDown()
            master?.stop()
            await etcd?.stop()
            await nodes.down()
            throw error
        }
        await cluster?.tearDown()
        master?.stop()
        await etcd?.stop()
        await nodes.down()
    }

    /// Writes `<prefix>/config` under the cluster's API.
    func writeConfig(_ config: String) async throws {
        try await etcd.put(api, prefix + "/config", config)
    }

    /// The node's NetworkUnavailable condition on the master: status, reason, message.
    func networkCondition(_ node: String) -> (status: String, reason: String, message: String)? {
        let conditions = master.node(names[node]!)?[path: ["status", "conditions"]]?.arrayValue ?? []
        guard let condition = conditions.first(where: { $0["type"]?.stringValue == "NetworkUnavailable" }) else { return nil }
        return (
            condition["status"]?.stringValue ?? "", condition["reason"]?.stringValue ?? "", condition["message"]?.stringValue ?? ""
        )
    }

    // MARK: Agents

    /// The agent's state directory, which holds its subnet file and Docker options file.
    func stateDirectory(_ node: String) -> String {
        NSTemporaryDirectory() + "clc-state-flannel-\(nodes.run)-\(node)"
    }

    func subnetFilePath(_ node: String) -> String { stateDirectory(node) + "/subnet.env" }
    func dockerOptionsPath(_ node: String) -> String { stateDirectory(node) + "/docker-options.env" }

    /// Starts `node`'s agent: flannel on (etcd, the API the config is under), the service
    /// proxy on, the subnet and Docker options files in its state directory, no pod network
    /// flags.
    func startAgent(_ node: String, arguments: [String] = []) throws {
        let manifests = try manifestDirectories[node] ?? TestEnvironment.temporaryDirectory("clc-manifests")
        manifestDirectories[node] = manifests
        agents[node] = try nodes.startAgent(
            on: node, nodeName: names[node]!, manifests: manifests,
            arguments: [
                "--master", master.url, "--node-status-interval", "1", "--proxy-mode", "nftables",
                "--etcd-endpoints", etcd.endpoint, "--etcd-api", apiFlag,
                "--subnet-file", subnetFilePath(node), "--docker-options-file", dockerOptionsPath(node),
            ] + arguments,
            stateDirectory: stateDirectory(node))
    }

    /// Kills `node`'s agent with `signal` and starts it again with the same arguments, state
    /// directory and log.
    func restartAgent(_ node: String, signal: Int32 = SIGKILL) throws {
        guard let agent = agents[node] else { throw TestEnvironmentError("no agent on node \(node)") }
        agent.stop(signal: signal)
        agents[node] = try AgentProcess(restarting: agent)
    }

    func printLogs() {
        for (node, agent) in agents.sorted(by: { $0.key < $1.key }) {
            print("--- agent on node \(node) (\(agent.isRunning ? "running" : "exited")), \(agent.logPath):\n\(agent.log.suffix(6000))")
        }
    }

    private func tearDown() async {
        for agent in agents.values { agent.cleanUp() }
        for directory in manifestDirectories.values { try? FileManager.default.removeItem(atPath: directory) }
    }

    // MARK: Leases

    struct Lease: Sendable, Equatable {
        /// `10.5.3.0/24`
        var subnet: String
        var publicIP: String
        var backendType: String
        var vtepMAC: String?
    }

    /// The leases in etcd, by subnet.
    func leases() async throws -> [String: Lease] {
        var leases: [String: Lease] = [:]
        for (key, value) in try await etcd.list(api, prefix: prefix + "/subnets/") {
            let subnet = String(key.split(separator: "/").last ?? "").replacingOccurrences(of: "-", with: "/")
            let json = try JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any] ?? [:]
            let backendData = json["BackendData"] as? [String: Any]
            leases[subnet] = Lease(
                subnet: subnet, publicIP: json["PublicIP"] as? String ?? "", backendType: json["BackendType"] as? String ?? "",
                vtepMAC: backendData?["VtepMAC"] as? String)
        }
        return leases
    }

    /// The lease holding `node`'s underlay address, or nil.
    func lease(of node: String) async throws -> Lease? {
        try await leases().values.first { $0.publicIP == nodes[node].address }
    }

    func leaseKey(_ subnet: String) -> String {
        prefix + "/subnets/" + subnet.replacingOccurrences(of: "/", with: "-")
    }

    /// The `NAME=value` lines of `node`'s subnet file (empty when it is missing).
    func subnetFile(_ node: String) -> [String: String] {
        Self.assignments((try? String(contentsOfFile: subnetFilePath(node), encoding: .utf8)) ?? "")
    }

    static func assignments(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    // MARK: Pods and services

    /// The pod of that name, Running and Ready with a pod IP, or nil.
    func runningPod(_ name: String) -> Pod? {
        master.pods(namespace: "default").first { $0.metadata.name == name && Self.isReady($0) }
    }

    static func isReady(_ pod: Pod) -> Bool {
        pod.metadata.deletionTimestamp == nil && pod.status?.phase == "Running" && !(pod.status?.podIP ?? "").isEmpty
            && pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
    }

    /// The IDs of every container on `node`'s engine (only the agent makes containers there).
    func containerIDs(_ node: String) async throws -> [String] {
        try await nodes[node].docker.listContainers(labels: []).map(\.id).sorted()
    }

    /// `curl -sS -m 10 url` from the client namespace on the underlay.
    func curlFromClient(_ url: String) async throws -> String {
        try await HostCommand.check(
            "/usr/bin/nsenter", ["--net=/run/netns/\(clientNamespace)", "--", "/usr/bin/curl", "-sS", "-m", "10", url])
    }

    /// `wget` from the app container of the pod `client` on node A.
    func fetchFromClient(_ url: String) async throws -> String {
        try await TwoNodeTests.fetch(nodes, node: "a", pod: "client", url: url)
    }

    /// A namespace whose eth0 hangs on the underlay's switch: netns-nodes.sh `down` removes it
    /// with the run (its name starts with the run's prefix; its veth goes with the switch's
    /// namespace).
    private func addClient() async throws {
        let ip = "/usr/sbin/ip"
        let switchNamespace = "clc-\(nodes.run)-ul"
        let port = "ulp\(nodes.run)c"
        try await HostCommand.check(ip, ["netns", "add", clientNamespace])
        try await HostCommand.check(ip, ["-n", clientNamespace, "link", "set", "lo", "up"])
        try await HostCommand.check(
            ip, ["link", "add", port, "netns", switchNamespace, "type", "veth", "peer", "name", "eth0", "netns", clientNamespace])
        try await HostCommand.check(ip, ["-n", switchNamespace, "link", "set", port, "master", "ul0", "up"])
        try await HostCommand.check(ip, ["-n", clientNamespace, "addr", "add", "\(clientAddress)/24", "dev", "eth0"])
        try await HostCommand.check(ip, ["-n", clientNamespace, "link", "set", "eth0", "up"])
    }
}
