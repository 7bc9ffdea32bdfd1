import Foundation
import KubeAPI
import MasterDouble
import Testing
import TestSupport

/// The node API through the master with real clients nobody here wrote: kubectl 1.20 (SPDY end
/// to end: the master double passes the upgraded connection through to the node) and the
/// Kubernetes Python client (WebSocket). The master double reaches the node as kube-apiserver
/// does: HTTPS to the node's InternalIP and daemonEndpoints port, with a client certificate the
/// node's --client-ca-file signed, authorized by the master's SubjectAccessReview.
@Suite("kubectl and the Python client through the master to the node API", .serialized)
struct NodeAPIClientTests {
    /// A CA, and a client certificate it signed for the master (O=system:masters).
    struct Certificates {
        let directory: String
        var ca: String { directory + "/ca.crt" }
        var masterCertificate: String { directory + "/master.crt" }
        var masterKey: String { directory + "/master.key" }

        init() async throws {
            directory = try TestEnvironment.temporaryDirectory("clc-node-api-pki")
            let openssl = "/usr/bin/openssl"
            try await HostCommand.check(
                openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-cluster-ca",
                    "-keyout", directory + "/ca.key", "-out", ca])
            try await HostCommand.check(
                openssl, ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/O=system:masters/CN=kube-apiserver-kubelet-client",
                    "-keyout", masterKey, "-out", directory + "/master.csr"])
            try await HostCommand.check(
                openssl, ["x509", "-req", "-in", directory + "/master.csr", "-CA", ca, "-CAkey", directory + "/ca.key",
                    "-CAcreateserial", "-days", "2", "-out", masterCertificate])
        }
    }

    static var kubectl: String {
        get throws {
            let path = ProcessInfo.processInfo.environment["CLC_TEST_KUBECTL"] ?? "/var/cache/clc-node/clients/kubectl-1.20/usr/bin/kubectl"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestEnvironmentError("no kubectl 1.20 at \(path): run scripts/install-clients.sh")
            }
            return path
        }
    }

    static var python: String {
        get throws {
            let path = ProcessInfo.processInfo.environment["CLC_TEST_PYTHON"] ?? "/var/cache/clc-node/clients/python/bin/python"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestEnvironmentError("no Python with the Kubernetes client at \(path): run scripts/install-clients.sh")
            }
            return path
        }
    }

    /// A master double that proxies to the node with its client certificate and allows
    /// system:masters everything on nodes, and an agent that trusts the CA.
    func cluster(_ prefix: String) async throws -> (Cluster, Certificates) {
        let pki = try await Certificates()
        let cluster = try Cluster(
            prefix, extraArguments: ["--node-ip", "127.0.0.1", "--client-ca-file", pki.ca, "--crash-loop-back-off-initial", "1"])
        cluster.master.kubeletClient = KubeletClientSettings(
            certificateFile: pki.masterCertificate, keyFile: pki.masterKey, preferredAddressTypes: ["InternalIP"])
        cluster.master.authPolicy = AuthPolicy(rules: [AccessRule(.group("system:masters"), resource: "nodes")])
        return (cluster, pki)
    }

    func kubectl(_ cluster: Cluster, _ arguments: [String]) async throws -> HostCommand.Result {
        try await HostCommand.run(Self.kubectl, ["--server", cluster.master.url, "--namespace", "default"] + arguments)
    }

    func waitRunning(_ cluster: Cluster, _ name: String) async throws {
        _ = try await eventually("pod \(name) running", timeout: .seconds(90)) {
            cluster.pod(name)?.status?.phase == "Running"
                && cluster.pod(name)?.status?.containerStatuses?.allSatisfy { $0.state?.running != nil } == true
        }
    }

    @Test("kubectl logs (--tail, -f, --previous) and exec (stdout, stderr, exit code, stdin) reach the containers")
    func kubectlLogsAndExec() async throws {
        let (cluster, pki) = try await cluster("kubectl-logs")
        defer { try? FileManager.default.removeItem(atPath: pki.directory) }
        do {
            _ = try cluster.master.apply(
                Data(
                    #"""
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "talker"},
                     "spec": {"containers": [
                       {"name": "app", "image": "clc-test/busybox:latest",
                        "command": ["sh", "-c", "echo hello; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.5; done"]},
                       {"name": "crasher", "image": "clc-test/busybox:latest",
                        "command": ["sh", "-c", "echo run at $(date +%s%N); sleep 1; exit 1"]}]}}
                    """#.utf8))
            _ = try await eventually("pod talker running", timeout: .seconds(90)) {
                cluster.pod("talker")?.status?.containerStatuses?.first { $0.name == "app" }?.state?.running != nil
            }

            let tail = try await kubectl(cluster, ["logs", "talker", "-c", "app", "--tail=2"])
            #expect(tail.succeeded, "\(tail.errors)")
            #expect(tail.output.split(separator: "\n").count == 2 && tail.output.contains("tick"))

            // -f streams until the client goes. 8 s: kubectl's own start (discovery) took over
            // 3 s under the parallel round's load, and the stream must still show 5 lines.
            let follow = try await HostCommand.run("/usr/bin/timeout", ["8", try Self.kubectl, "--server", cluster.master.url, "logs", "-f", "talker", "-c", "app"])
            #expect(follow.status == 124, "kubectl logs -f ended by itself: \(follow.errors)")
            #expect(follow.output.hasPrefix("hello\n") && follow.output.split(separator: "\n").count >= 5)

            _ = try await eventually("crasher restarted", timeout: .seconds(60)) {
                (cluster.pod("talker")?.status?.containerStatuses?.first { $0.name == "crasher" }?.restartCount ?? 0) >= 1
            }
            let previous = try await kubectl(cluster, ["logs", "talker", "-c", "crasher", "--previous"])
            #expect(previous.succeeded && previous.output.hasPrefix("run at "), "\(previous.errors)")

            let exec = try await kubectl(cluster, ["exec", "talker", "-c", "app", "--", "sh", "-c", "echo to stdout; echo to stderr >&2; exit 3"])
            #expect(exec.status == 3, "\(exec.errors)")
            #expect(exec.output == "to stdout\n")
            #expect(exec.errors.contains("to stderr"))

            let missing = try await kubectl(cluster, ["exec", "talker", "-c", "app", "--", "/no/such/binary"])
            #expect(missing.status != 0 && missing.status != 3)

            let stdinFile = pki.directory + "/stdin.txt"
            try "line one\nline two\n".write(toFile: stdinFile, atomically: true, encoding: .utf8)
            let cat = try await HostCommand.run(
                "/bin/sh", ["-c", "\(try Self.kubectl) --server \(cluster.master.url) exec -i talker -c app -- cat < \(stdinFile)"])
            #expect(cat.succeeded && cat.output == "line one\nline two\n", "\(cat.errors)")

            let stats = try await kubectl(cluster, ["get", "--raw", "/api/v1/nodes/\(cluster.fixture.node)/proxy/stats/summary"])
            #expect(stats.succeeded, "\(stats.errors)")
            let summary = try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any]
            #expect((summary?["node"] as? [String: Any])?["nodeName"] as? String == cluster.fixture.node)
        } catch {
            await cluster.tearDown()
            throw error
        }
        await cluster.tearDown()
    }

    @Test("kubectl port-forward and the Python client's exec and port-forward reach the frontend's port 80")
    func portForwardAndPythonClient() async throws {
        let (cluster, pki) = try await cluster("kubectl-pf")
        defer { try? FileManager.default.removeItem(atPath: pki.directory) }
        do {
            _ = try cluster.master.apply(
                Data(
                    #"""
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "frontend", "labels": {"name": "frontend"}},
                     "spec": {"containers": [{"name": "php-redis", "image": "kubernetes/example-guestbook-php-redis",
                       "ports": [{"containerPort": 80}]}]}}
                    """#.utf8))
            try await waitRunning(cluster, "frontend")

            // kubectl port-forward prints the local port it chose, then forwards until killed.
            let output = pki.directory + "/port-forward.out"
            let forward = Process()
            forward.executableURL = URL(fileURLWithPath: try Self.kubectl)
            forward.arguments = ["--server", cluster.master.url, "--namespace", "default", "port-forward", "pod/frontend", ":80"]
            FileManager.default.createFile(atPath: output, contents: nil)
            forward.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            forward.standardError = forward.standardOutput
            try forward.run()
            defer { forward.terminate() }
            var localPort = ""
            _ = try await eventually("kubectl port-forward listening", timeout: .seconds(30)) {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                guard let range = text.range(of: #"127\.0\.0\.1:(\d+) -> 80"#, options: .regularExpression) else { return false }
                localPort = String(text[range].dropFirst("127.0.0.1:".count).prefix { $0.isNumber })
                return true
            }
            let page = try await HostCommand.run("/usr/bin/curl", ["-s", "--max-time", "20", "http://127.0.0.1:\(localPort)/"])
            #expect(page.succeeded && page.output.contains("Guestbook"), "\(page.errors)")

            let client = TestEnvironment.repositoryRoot + "/Tests/IntegrationTests/Clients/python_client.py"
            let exec = try await HostCommand.run(
                try Self.python, [client, cluster.master.url, "exec", "default", "frontend", "php-redis", "-", "sh", "-c", "echo from python; exit 4"])
            #expect(exec.succeeded, "\(exec.errors)")
            let execResult = try JSONSerialization.jsonObject(with: Data(exec.output.utf8)) as? [String: Any]
            #expect(execResult?["stdout"] as? String == "from python\n")
            #expect(execResult?["returncode"] as? Int == 4)

            let tunnel = try await HostCommand.run(try Self.python, [client, cluster.master.url, "portforward", "default", "frontend", "80", "/"])
            #expect(tunnel.succeeded, "\(tunnel.errors)")
            let tunnelResult = try JSONSerialization.jsonObject(with: Data(tunnel.output.utf8)) as? [String: Any]
            #expect((tunnelResult?["response"] as? String)?.contains("Guestbook") == true)
        } catch {
            await cluster.tearDown()
            throw error
        }
        await cluster.tearDown()
    }
}
