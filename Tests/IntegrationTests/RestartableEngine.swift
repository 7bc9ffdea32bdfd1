import Foundation
import TestSupport

/// A Docker engine of the test's own in the root network namespace (own data root, socket and
/// bridge, scripts/dockerd.sh), which a test stops and starts under a running agent the way
/// `systemctl restart docker` does: dockerd stops its containers and exits, and its containers
/// and images stay for the next start. ``destroy()`` removes everything it ran.
struct RestartableEngine: Sendable {
    let directory: String
    var socket: String { directory + "/docker.sock" }

    /// Bridge and subnet of its own: the test engine uses clcbr0 172.30.0.0/16, the dev engine
    /// clcdev0 172.31.0.0/16.
    private static let environment = ["CLC_DOCKER_BRIDGE=clcfault0", "CLC_DOCKER_BRIDGE_CIDR=172.28.0.1/16"]
    private static let script = TestEnvironment.repositoryRoot + "/scripts/dockerd.sh"

    /// Starts the engine and loads `clc-test/busybox` into it from the test engine.
    /// - Throws: when not root, or dockerd or the image copy fails (after destroying what it started).
    static func start(directory: String = "/tmp/clc-fault-docker") async throws -> RestartableEngine {
        guard getuid() == 0 else { throw TestEnvironmentError("a Docker engine of the test's own needs root") }
        let engine = RestartableEngine(directory: directory)
        do {
            try await engine.startDaemon()
            let source = try TestEnvironment.dockerSocket()
            try await HostCommand.check(
                "/bin/bash",
                [
                    "-c",
                    "set -o pipefail; /usr/bin/docker -H unix://\(source) save clc-test/busybox:latest"
                        + " | /usr/bin/docker -H unix://\(engine.socket) load -q",
                ])
        } catch {
            await engine.destroy()
            throw error
        }
        return engine
    }

    /// Starts dockerd on the directory (its containers stay as they were left).
    func startDaemon() async throws {
        try await HostCommand.check("/usr/bin/env", Self.environment + ["/bin/bash", Self.script, "start", directory])
    }

    /// SIGTERM to dockerd, as its service manager stops it; returns once it has exited.
    func stopDaemon() async throws {
        let text = try String(contentsOfFile: directory + "/docker.pid", encoding: .utf8)
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestEnvironmentError("no dockerd process ID in \(directory)/docker.pid: \(text)")
        }
        kill(pid, SIGTERM)
        try await eventually("dockerd \(pid) exited", timeout: .seconds(40)) { kill(pid, 0) != 0 }
    }

    /// Removes its containers, stops dockerd and its bridge.
    func destroy() async {
        _ = try? await HostCommand.run("/usr/bin/env", Self.environment + ["/bin/bash", Self.script, "stop", directory])
    }
}
