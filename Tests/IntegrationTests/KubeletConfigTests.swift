import Foundation
import TestSupport
import Testing

/// kubelet-compatible configuration of the real binary: `--config`, kubelet's flag names,
/// `clc-node version` and the effective configuration logged at start.
@Suite("kubelet-compatible configuration of the agent binary", .serialized)
struct KubeletConfigTests {
    static let file = """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        clusterDNS: [10.254.0.10]
        clusterDomain: file.local
        port: 10260
        syncFrequency: 7s
        maxPods: 110
        """

    @Test("the file fills what no flag gives, a flag or CLC_NODE_ variable wins, unused fields are warned about, and the start logs it all once")
    func precedenceInTheLog() async throws {
        let directory = try TestEnvironment.temporaryDirectory("clc-config")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/kubelet.yaml"
        try Self.file.write(toFile: path, atomically: true, encoding: .utf8)
        // The fixture gives --port 0 on the command line; the environment gives the domain;
        // --hostname-override is kubelet's name for --node-name, and wins over the fixture's.
        let fixture = try AgentFixture(
            "config", extraArguments: ["--config", path, "--hostname-override", "kubelet-named-node"],
            environment: ["CLC_NODE_CLUSTER_DOMAIN": "env.local", "CLC_NODE_ETCD_PASSWORD": "hunter2"])
        defer { Task { await fixture.tearDown() } }
        try await eventually("the first pod sync", timeout: .seconds(30)) { fixture.agent.log.contains("first pod sync started") }
        let log = fixture.agent.log
        let entries = log.split(separator: "\n").filter { $0.contains("effective configuration") }
        print(entries.joined(separator: "\n"))
        #expect(entries.count == 1)
        let entry = String(entries.first ?? "")
        #expect(entry.contains("config.dns.clusterDNS=10.254.0.10"))
        #expect(entry.contains("config.dns.clusterDomain=env.local"))
        #expect(entry.contains("config.nodeServer.port=0"))
        #expect(entry.contains("config.resyncInterval=7"))
        #expect(entry.contains("config.nodeName=kubelet-named-node"))
        #expect(entry.contains("config.flannel.etcdPassword=<redacted>"))
        #expect(entry.contains("config.nodeServer.authenticationTokenWebhook=false"))
        #expect(!log.contains("hunter2"))
        #expect(log.contains("field maxPods ignored"))
    }

    @Test("a file of the wrong kind stops the agent with a message naming the file and the field")
    func wrongKind() async throws {
        let directory = try TestEnvironment.temporaryDirectory("clc-config")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/proxy.yaml"
        try "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await HostCommand.run(try TestEnvironment.agentBinary(), ["run", "--config", path, "--manifest-dir", directory])
        #expect(result.status != 0)
        #expect(result.errors.contains("--config \(path): field kind: \"KubeProxyConfiguration\" is not KubeletConfiguration"))
    }

    @Test("clc-node version prints the version, a git commit, Swift and the libraries")
    func version() async throws {
        let result = try await HostCommand.run(try TestEnvironment.agentBinary(), ["version"])
        print(result.output)
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("clc-node ") == true)
        let commit = try #require(lines.first { $0.hasPrefix("git commit: ") }).dropFirst("git commit: ".count)
        #expect(commit.prefix(40).allSatisfy(\.isHexDigit) && commit.count >= 40, "commit \(commit)")
        for library in ["swift: 6.", "libcurl: ", "zlib: ", "libnftnl: ", "libmnl: ", "libsystemd: "] {
            #expect(lines.contains { $0.hasPrefix(library) && !$0.contains("unknown") }, "\(library)")
        }
    }
}
