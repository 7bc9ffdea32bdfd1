import Foundation
import Testing

import TestSupport
import TestSockets

@Suite("Security policy on a real Docker engine", .serialized)
struct SecurityPolicyTests {
    /// A pod of two busybox containers sharing one hostPath volume, each mounting a subPath.
    func subPathPod(volume: String, escaping: String, safe: String) -> String {
        func container(_ name: String, _ subPath: String) -> String {
            """
            {"name": "\(name)", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
             "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
             "volumeMounts": [{"name": "shared", "mountPath": "/mnt/sub", "subPath": "\(subPath)"}]}
            """
        }
        return """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "subpath"},
             "spec": {"terminationGracePeriodSeconds": 2,
                      "volumes": [{"name": "shared", "hostPath": {"path": "\(volume)"}}],
                      "containers": [\(container("evil", escaping)), \(container("good", safe))]}}
            """
    }

    @Test("a subPath through a planted link to / is refused by name and the node's root is never mounted; a plain subPath mounts")
    func subPathLinkToRootRefused() async throws {
        let volume = try TestEnvironment.temporaryDirectory("clc-subpath-volume")
        defer { try? FileManager.default.removeItem(atPath: volume) }
        try FileManager.default.createSymbolicLink(atPath: volume + "/escape", withDestinationPath: "/")
        try FileManager.default.createDirectory(atPath: volume + "/safe", withIntermediateDirectories: true)
        try "kept".write(toFile: volume + "/safe/marker", atomically: true, encoding: .utf8)
        let realVolume = URL(fileURLWithPath: volume).resolvingSymlinksInPath().path

        let fixture = try AgentFixture("subpath")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(subPathPod(volume: volume, escaping: "escape/etc", safe: "safe"), as: "subpath.json")

        try await eventually("the good container running", timeout: .seconds(30)) {
            try await fixture.docker.runningApps(node: fixture.node).map { $0.labels["io.kubernetes.container.name"] } == ["good"]
        }
        try await eventually("the refusal logged and the pod's status saying so", timeout: .seconds(20)) {
            let log = fixture.agent.log
            return log.contains("spec.containers[0].volumeMounts[0].subPath") && log.contains("evil=CreateContainerConfigError")
        }
        #expect(fixture.agent.log.contains("\"escape\" is a symbolic link"))

        let containers = try await fixture.docker.containers(node: fixture.node)
        #expect(!containers.contains { $0.labels["io.kubernetes.container.name"] == "evil" }, "the evil container is never created")
        let binds = containers.flatMap { $0.hostConfig?.binds ?? [] }
        #expect(binds == ["\(realVolume)/safe:/mnt/sub"])
        #expect(!binds.contains { $0.hasPrefix("/:") || $0.hasPrefix("/etc:") })
    }

    @Test("without --allow-privileged a privileged container is refused naming the field while its sibling runs; with it, it is created privileged")
    func privilegedRefused() async throws {
        let pod = busyboxPod(
            name: "priv",
            extraContainerJSON: "}, {\"name\": \"root\", \"image\": \"clc-test/busybox:latest\", \"imagePullPolicy\": \"IfNotPresent\", \"command\": [\"sleep\", \"3600\"], \"securityContext\": {\"privileged\": true}")
        let fixture = try AgentFixture("priv")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(pod, as: "priv.json")
        try await eventually("the ordinary container running", timeout: .seconds(30)) {
            try await fixture.docker.runningApps(node: fixture.node).map { $0.labels["io.kubernetes.container.name"] } == ["app"]
        }
        try await eventually("the refusal logged", timeout: .seconds(20)) {
            fixture.agent.log.contains("spec.containers[1].securityContext.privileged")
        }
        let containers = try await fixture.docker.containers(node: fixture.node)
        #expect(!containers.contains { $0.hostConfig?.privileged == true })

        let allowed = try AgentFixture("privok", extraArguments: ["--allow-privileged=true"])
        defer { Task { await allowed.tearDown() } }
        try allowed.write(pod, as: "priv.json")
        // Created, not necessarily running: an engine that itself lacks capabilities (the
        // agent's tests may run in an unprivileged container) cannot start it.
        try await eventually("the root container created privileged", timeout: .seconds(30)) {
            try await allowed.docker.containers(node: allowed.node).contains {
                $0.labels["io.kubernetes.container.name"] == "root" && $0.hostConfig?.privileged == true
            }
        }
    }

    @Test("a manifest Service asking for nodePort 22 is rejected naming the service and the field")
    func nodePort22Rejected() async throws {
        let fixture = try AgentFixture("nodeport")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(
            #"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ssh"}, "spec": {"type": "NodePort", "ports": [{"port": 22, "nodePort": 22}]}}"#,
            as: "ssh.json")
        try await eventually("the rejection logged", timeout: .seconds(20)) {
            let log = fixture.agent.log
            return log.contains("service default/ssh") && log.contains("spec.ports[0].nodePort") && log.contains("30000-32767")
        }
        #expect(fixture.agent.isRunning)
    }

    @Test("CLC_NODE_SERVICE_NODE_PORT_RANGE and CLC_NODE_ALLOW_PRIVILEGED from the environment file take effect")
    func environmentFile() async throws {
        let fixture = try AgentFixture(
            "secenv", environment: ["CLC_NODE_SERVICE_NODE_PORT_RANGE": "20000-20100", "CLC_NODE_ALLOW_PRIVILEGED": "true"])
        defer { Task { await fixture.tearDown() } }
        try fixture.write(
            #"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "inrange"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 20050}]}}"#,
            as: "inrange.json")
        try fixture.write(
            #"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "usual"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}"#,
            as: "usual.json")
        try fixture.write(
            busyboxPod(name: "priv", extraContainerJSON: ", \"securityContext\": {\"privileged\": true}"), as: "priv.json")
        try await eventually("the out-of-range service rejected with the configured range", timeout: .seconds(20)) {
            fixture.agent.log.contains("service default/usual") && fixture.agent.log.contains("20000-20100")
        }
        try await eventually("the privileged container created privileged", timeout: .seconds(30)) {
            try await fixture.docker.containers(node: fixture.node).contains { $0.hostConfig?.privileged == true }
        }
        #expect(!fixture.agent.log.contains("service default/inrange"))
    }

    @Test("runAsUser, runAsGroup, fsGroup, a read-only root and dropped capabilities hold inside the container; runAsNonRoot refuses a root image")
    func securityContextHonoured() async throws {
        let fixture = try AgentFixture("secctx")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "secctx"},
             "spec": {"terminationGracePeriodSeconds": 2,
                      "securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000},
                      "volumes": [{"name": "data", "emptyDir": {}}],
                      "containers": [
                        {"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                         "securityContext": {"readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
                                             "capabilities": {"drop": ["ALL"]}},
                         "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                         "command": ["sh", "-c", "id > /data/id; touch /rootfs 2>/dev/null && echo writable > /data/root || echo readonly > /data/root; grep CapEff /proc/self/status > /data/caps.partial; mv /data/caps.partial /data/caps; trap 'exit 0' TERM; while true; do sleep 1; done"]}]}}
            """, as: "secctx.json")
        // busybox runs as root (no USER): runAsNonRoot without runAsUser must refuse it.
        try fixture.write(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nonroot"},
             "spec": {"terminationGracePeriodSeconds": 2,
                      "containers": [{"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                                      "securityContext": {"runAsNonRoot": true}, "command": ["sleep", "3600"]}]}}
            """, as: "nonroot.json")
        try await eventually("the secctx pod's app running", timeout: .seconds(30)) {
            try await fixture.docker.runningApps(node: fixture.node).contains { $0.labels["io.kubernetes.pod.name"] == "secctx-\(fixture.node)" }
        }
        let app = try #require(try await fixture.docker.runningApps(node: fixture.node).first { $0.labels["io.kubernetes.pod.name"] == "secctx-\(fixture.node)" })
        let uid = try #require(app.labels["io.kubernetes.pod.uid"])
        let volume = "\(fixture.agent.stateDirectory)/pods/\(uid)/volumes/kubernetes.io~empty-dir/data"
        // The report's last file appears by a rename, so once it exists every file is complete.
        try await eventually("the container's report written", timeout: .seconds(10)) {
            FileManager.default.fileExists(atPath: volume + "/caps")
        }
        let id = try String(contentsOfFile: volume + "/id", encoding: .utf8)
        #expect(id.contains("uid=1000 gid=3000"), "\(id)")
        #expect(id.contains("2000"), "fsGroup joins the groups: \(id)")
        #expect(try String(contentsOfFile: volume + "/root", encoding: .utf8) == "readonly\n")
        #expect(try String(contentsOfFile: volume + "/caps", encoding: .utf8).contains("0000000000000000"))
        let attributes = try FileManager.default.attributesOfItem(atPath: volume + "/id")
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue == 2000, "files in the volume take the fsGroup (setgid)")
        #expect(app.hostConfig?.securityOpt == ["no-new-privileges"])

        try await eventually("the root image refused under runAsNonRoot", timeout: .seconds(20)) {
            fixture.agent.log.contains("container has runAsNonRoot and image will run as root")
        }
        #expect(!(try await fixture.docker.containers(node: fixture.node)).contains {
            $0.labels["io.kubernetes.pod.name"] == "nonroot-\(fixture.node)" && $0.labels["io.kubernetes.docker.type"] == "container"
        })
    }

    @Test("a hostNetwork pod is refused by default and, with --allow-privileged, runs in the node's network namespace")
    func hostNetwork() async throws {
        let pod = """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hostnet"},
             "spec": {"hostNetwork": true, "terminationGracePeriodSeconds": 2,
                      "containers": [{"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                                      "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]}]}}
            """
        let refused = try AgentFixture("hostnet-no")
        defer { Task { await refused.tearDown() } }
        try refused.write(pod, as: "hostnet.json")
        try await eventually("the refusal logged", timeout: .seconds(20)) { refused.agent.log.contains("spec.hostNetwork") }
        #expect(try await refused.docker.containers(node: refused.node).isEmpty)

        let allowed = try AgentFixture("hostnet", extraArguments: ["--allow-privileged=true"])
        defer { Task { await allowed.tearDown() } }
        try allowed.write(pod, as: "hostnet.json")
        try await eventually("the app running", timeout: .seconds(30)) {
            try await allowed.docker.runningApps(node: allowed.node).count == 1
        }
        let containers = try await allowed.docker.containers(node: allowed.node)
        let infra = try #require(containers.first { $0.labels["io.kubernetes.docker.type"] == "podsandbox" })
        #expect(infra.hostConfig?.networkMode == "host")
        #expect(infra.labels["io.clc-node.pod.ip"]?.isEmpty == false)
        try await Task.sleep(for: .seconds(2))
        #expect(try await allowed.docker.containers(node: allowed.node).count == 2, "no recreation loop")
    }

    @Test("a hostPort is published by the infra container: the node's loopback port reaches the pod's server")
    func hostPort() async throws {
        let port = try #require(Self.freeLoopbackPort())
        let fixture = try AgentFixture("hostport")
        defer { Task { await fixture.tearDown() } }
        try fixture.write(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
             "spec": {"terminationGracePeriodSeconds": 2,
                      "containers": [{"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                                      "ports": [{"containerPort": 8080, "hostPort": \(port), "hostIP": "127.0.0.1"}],
                                      "command": ["sh", "-c", "mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www"]}]}}
            """, as: "web.json")
        try await eventually("the server running", timeout: .seconds(30)) {
            try await fixture.docker.runningApps(node: fixture.node).count == 1
        }
        let infra = try #require(try await fixture.docker.containers(node: fixture.node).first { $0.labels["io.kubernetes.docker.type"] == "podsandbox" })
        #expect(infra.hostConfig?.portBindings?["8080/tcp"]?.first?.hostPort == String(port))
        try await eventually("the page served on 127.0.0.1:\(port)", timeout: .seconds(15)) {
            Self.httpGet(port: port, path: "/index.html")?.hasSuffix("\r\n\r\nhello-from-pod\n") == true
        }
    }

    /// A TCP port of 127.0.0.1 below the kernel's ephemeral range (32768-60999), free when asked:
    /// no connection a neighbouring test opens can be given it meanwhile, as one was in CI
    /// (Docker's proxy could not bind a random port of 38000-38999: "address already in use").
    static func freeLoopbackPort() -> Int? {
        for _ in 0..<100 {
            let port = Int.random(in: 20000..<32000)
            if let (descriptor, _) = try? Loopback.listen(port: port) {
                close(descriptor)
                return port
            }
        }
        return nil
    }

    /// `GET path` on 127.0.0.1:port over a plain socket (Foundation on Linux has no HTTP
    /// without FoundationNetworking); the whole response, or nil.
    static func httpGet(port: Int, path: String) -> String? {
        guard let descriptor = try? Loopback.connect(port: port) else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(descriptor, request, request.count, 0) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }
}
