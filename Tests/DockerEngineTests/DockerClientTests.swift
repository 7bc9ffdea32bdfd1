import DockerEngine
import Foundation
import TestSupport
import Testing

@Suite("The Docker client against the real engine", .serialized)
struct DockerClientTests {
    let client: DockerClient
    let label = "io.clc-node.test=\(UUID().uuidString.prefix(8))"

    init() throws {
        client = DockerClient(socketPath: try TestEnvironment.dockerSocket())
    }

    private func busybox(_ script: String) -> ContainerCreateConfig {
        let parts = label.split(separator: "=")
        return ContainerCreateConfig(
            image: "clc-test/busybox:latest", cmd: ["sh", "-c", script],
            labels: [String(parts[0]): String(parts[1])])
    }

    private func cleanUp() async {
        for container in (try? await client.listContainers(labels: [label])) ?? [] {
            try? await client.removeContainer(id: container.id)
        }
    }

    @Test("the API version is negotiated from /version")
    func negotiatesVersion() async throws {
        let version = try await client.version()
        #expect(!version.version.isEmpty)
        #expect(version.apiVersion.hasPrefix("1."))
    }

    @Test("a created container starts, is listed by label, inspected, stopped and removed")
    func containerLifecycle() async throws {
        defer { Task { await cleanUp() } }
        let id = try await client.createContainer(name: "clc-test-\(UUID().uuidString.prefix(8))", config: busybox("trap 'exit 3' TERM; sleep 1000 & wait"))
        try await client.startContainer(id: id)
        #expect(try await client.inspectContainer(id: id).state.running)
        #expect(try await client.listContainers(labels: [label]).map(\.id) == [id])
        try await client.stopContainer(id: id, timeoutSeconds: 5)
        let stopped = try await client.inspectContainer(id: id)
        #expect(stopped.state.running == false)
        #expect(stopped.state.exitCode == 3)
        try await client.removeContainer(id: id)
        await #expect(throws: DockerError.self) { try await client.inspectContainer(id: id) }
    }

    @Test("a name already in use is a conflict")
    func nameConflict() async throws {
        defer { Task { await cleanUp() } }
        let name = "clc-test-\(UUID().uuidString.prefix(8))"
        _ = try await client.createContainer(name: name, config: busybox("true"))
        do {
            _ = try await client.createContainer(name: name, config: busybox("true"))
            Issue.record("a second create with the same name succeeded")
        } catch {
            #expect(error.isConflict)
        }
    }

    @Test("exec returns the command's output and exit code")
    func execOutput() async throws {
        defer { Task { await cleanUp() } }
        let id = try await client.createContainer(name: "clc-test-\(UUID().uuidString.prefix(8))", config: busybox("sleep 1000"))
        try await client.startContainer(id: id)
        let result = try await client.exec(containerID: id, command: ["sh", "-c", "echo out; echo err >&2; exit 7"], timeout: .seconds(5))
        #expect(result.exitCode == 7)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
    }

    @Test("an exec that prints 8 MiB keeps its first 10 KiB and still ends with its exit code")
    func execOutputCapped() async throws {
        defer { Task { await cleanUp() } }
        let id = try await client.createContainer(name: "clc-test-\(UUID().uuidString.prefix(8))", config: busybox("sleep 1000"))
        try await client.startContainer(id: id)
        // The command can only exit 3 after writing everything: the agent drains the rest.
        let result = try await client.exec(
            containerID: id, command: ["sh", "-c", "yes | head -c 8388608; echo err >&2; exit 3"], timeout: .seconds(20))
        #expect(result.exitCode == 3)
        #expect(result.stdout.count + result.stderr.count == 10 * 1024)
        #expect(result.stdout.prefix(4) == Array("y\ny\n".utf8)[...])
    }

    @Test("an exec that prints exactly 10 KiB keeps all of it")
    func execOutputAtCap() async throws {
        defer { Task { await cleanUp() } }
        let id = try await client.createContainer(name: "clc-test-\(UUID().uuidString.prefix(8))", config: busybox("sleep 1000"))
        try await client.startContainer(id: id)
        let result = try await client.exec(containerID: id, command: ["sh", "-c", "yes | head -c 10240"], timeout: .seconds(20))
        #expect(result.exitCode == 0)
        #expect(result.stdout.count == 10 * 1024)
    }

    @Test("an exec that outlives its timeout fails on time and its process is killed")
    func execTimeout() async throws {
        defer { Task { await cleanUp() } }
        let id = try await client.createContainer(name: "clc-test-\(UUID().uuidString.prefix(8))", config: busybox("sleep 1000"))
        try await client.startContainer(id: id)
        let started = ContinuousClock.now
        await #expect(throws: DockerError.self) {
            _ = try await client.exec(containerID: id, command: ["sleep", "30"], timeout: .seconds(1))
        }
        // The command would sleep 30 s; ending well before that shows the time-out cut it.
        #expect(ContinuousClock.now - started < .seconds(10))
        let processes = try await client.exec(containerID: id, command: ["ps"], timeout: .seconds(5))
        #expect(!String(decoding: processes.stdout, as: UTF8.self).contains("sleep 30"))
    }

    @Test("pulling from an unreachable registry fails with the registry's error")
    func pullFails() async throws {
        do {
            try await client.pullImage(reference: "example.invalid/clc-node/no-such-image:1")
            Issue.record("the pull succeeded")
        } catch {
            #expect(!error.message.isEmpty)
        }
        #expect(try await client.inspectImage(name: "example.invalid/clc-node/no-such-image:1") == nil)
    }

    @Test("an image imported from a tarball can be inspected")
    func importImage() async throws {
        var archive = TarArchive()
        archive.addDirectory("etc")
        archive.addFile("etc/hello", contents: Array("hi\n".utf8))
        let reference = "clc-test/imported:\(UUID().uuidString.prefix(8).lowercased())"
        try await client.importImage(tarball: archive.finished(), reference: reference, changes: ["CMD [\"/bin/true\"]"])
        #expect(try await client.inspectImage(name: reference) != nil)
    }

    @Test("the event stream reports a container's death")
    func eventsReportDeath() async throws {
        defer { Task { await cleanUp() } }
        let events = client.containerEvents(labels: [label])
        let id = try await client.createContainer(name: "clc-test-\(UUID().uuidString.prefix(8))", config: busybox("exit 4"))
        try await client.startContainer(id: id)
        var death: DockerEvent?
        for try await event in events where event.action == "die" && event.actor.id == id {
            death = event
            break
        }
        #expect(death?.actor.attributes["exitCode"] == "4")
    }
}
