import Foundation
import TestSupport

/// A Docker engine of its own in a network namespace whose DNS server takes queries and never
/// answers (scripts/isolated-dockerd.sh), with the guestbook's images built in it: a node cut off
/// from its registry the slow way. Stopped with everything it ran by ``stop()``; its images stay
/// in its directory so that the next start does not build them again.
struct IsolatedEngine: Sendable {
    let namespace: String
    let directory: String
    let socket: String

    static let guestbookImages = ["redis", "kubernetes/redis-slave", "kubernetes/example-guestbook-php-redis"]

    /// Starts the namespace and its engine (stopping an earlier one of the same name) and builds
    /// `images` in it.
    /// - Throws: when not root, or a script fails (after stopping what it started).
    static func start(
        namespace: String = "clc-isolated",
        directory: String = ProcessInfo.processInfo.environment["CLC_TEST_ISOLATED_DIR"] ?? "/tmp/clc-isolated-docker",
        images: [String] = guestbookImages
    ) async throws -> IsolatedEngine {
        guard getuid() == 0 else {
            throw TestEnvironmentError("a node cut off from its registry needs root: network namespace and dockerd")
        }
        let script = TestEnvironment.repositoryRoot + "/scripts/isolated-dockerd.sh"
        let started = try await HostCommand.run("/bin/bash", [script, "start", namespace, directory])
        let engine = IsolatedEngine(
            namespace: namespace, directory: directory,
            socket: started.output.split(separator: "\n").last.map(String.init) ?? "")
        do {
            guard started.succeeded else { throw HostCommand.Failure(result: started) }
            try await HostCommand.check(
                "/bin/bash",
                [TestEnvironment.repositoryRoot + "/scripts/build-images.sh", "--docker-host", "unix://" + engine.socket] + images)
        } catch {
            await engine.stop()
            throw error
        }
        return engine
    }

    /// Removes its containers, stops dockerd, the DNS black hole and the namespace.
    func stop() async {
        let script = TestEnvironment.repositoryRoot + "/scripts/isolated-dockerd.sh"
        _ = try? await HostCommand.run("/bin/bash", [script, "stop", namespace, directory])
    }
}
