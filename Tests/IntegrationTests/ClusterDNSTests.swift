import DockerEngine
import Foundation
import TestSupport
import Testing

/// Pods' /etc/resolv.conf on the real engine: written as kubelet's dockershim did into the infra
/// container's file, which the pod's containers share.
@Suite("Cluster DNS in pods on a real Docker engine", .serialized)
struct ClusterDNSTests {
    /// A host resolver file of the test's own, so the result does not depend on the machine.
    static let hostResolvConf = "nameserver 192.0.2.53\nsearch corp.example\noptions timeout:2\n"

    /// Starts an agent with cluster DNS flags, runs `manifest` and returns what
    /// `cat /etc/resolv.conf` printed in each of its running containers (by container name).
    private func resolvConfs(of manifest: String, containers: Int) async throws -> [String: String] {
        let directory = try TestEnvironment.temporaryDirectory("clc-dns")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hostFile = directory + "/resolv.conf"
        try Self.hostResolvConf.write(toFile: hostFile, atomically: true, encoding: .utf8)
        let fixture = try AgentFixture(
            "dns", extraArguments: ["--cluster-dns", "10.254.0.10", "--cluster-domain", "cluster.local", "--resolv-conf", hostFile])
        defer { Task { await fixture.tearDown() } }
        try fixture.write(manifest, as: "pod.json")
        do {
            try await eventually("\(containers) containers running", timeout: .seconds(30)) {
                try await fixture.docker.runningApps(node: fixture.node).count == containers
            }
        } catch {
            print(fixture.agent.log)
            throw error
        }
        var result: [String: String] = [:]
        for app in try await fixture.docker.runningApps(node: fixture.node) {
            let output = try await fixture.docker.client.exec(containerID: app.id, command: ["cat", "/etc/resolv.conf"], timeout: .seconds(10))
            #expect(output.exitCode == 0)
            let name = app.labels["io.kubernetes.container.name"] ?? ""
            result[name] = String(decoding: output.stdout, as: UTF8.self)
            print("\(name): cat /etc/resolv.conf\n\(result[name] ?? "")")
        }
        return result
    }

    static func pod(name: String, dns: String) -> String {
        let container = { (name: String) in
            """
            {"name": "\(name)", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
             "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]}
            """
        }
        return """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "\(name)", "namespace": "shop"},
             "spec": {"terminationGracePeriodSeconds": 2, \(dns)
                      "containers": [\(container("first")), \(container("second"))]}}
            """
    }

    @Test("ClusterFirst: both containers read the cluster server, the namespace's search domains and ndots:5")
    func clusterFirst() async throws {
        let files = try await resolvConfs(of: Self.pod(name: "dns-cluster", dns: ""), containers: 2)
        let expected = """
            nameserver 10.254.0.10
            search shop.svc.cluster.local svc.cluster.local cluster.local corp.example
            options ndots:5

            """
        #expect(files == ["first": expected, "second": expected])
    }

    @Test("None with dnsConfig: only the pod's servers, searches and options")
    func noneWithDNSConfig() async throws {
        let dns = """
            "dnsPolicy": "None", "dnsConfig": {"nameservers": ["192.0.2.1", "192.0.2.2"], "searches": ["a.example"],
                                               "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]},
            """
        let files = try await resolvConfs(of: Self.pod(name: "dns-none", dns: dns), containers: 2)
        let expected = """
            nameserver 192.0.2.1
            nameserver 192.0.2.2
            search a.example
            options edns0 ndots:2

            """
        #expect(files == ["first": expected, "second": expected])
    }

    @Test("Default: the file of --resolv-conf as it is")
    func defaultPolicy() async throws {
        let files = try await resolvConfs(of: Self.pod(name: "dns-default", dns: "\"dnsPolicy\": \"Default\","), containers: 2)
        #expect(files["first"] == Self.hostResolvConf)
        #expect(files["second"] == Self.hostResolvConf)
    }
}
