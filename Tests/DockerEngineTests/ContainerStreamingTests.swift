import DockerEngine
import Foundation
import TestSupport
import Testing

@Suite("Hijacked exec and attach streams against the real engine", .serialized)
struct ContainerStreamingTests {
    let client: DockerClient
    let label = "io.clc-node.test=\(UUID().uuidString.prefix(8))"

    init() throws {
        client = DockerClient(socketPath: try TestEnvironment.dockerSocket())
    }

    private func runBusybox(_ script: String, tty: Bool = false, openStdin: Bool = false) async throws -> String {
        let parts = label.split(separator: "=")
        let config = ContainerCreateConfig(
            image: "clc-test/busybox:latest", cmd: ["sh", "-c", script], labels: [String(parts[0]): String(parts[1])],
            tty: tty, openStdin: openStdin)
        let id = try await client.createContainer(name: "clc-stream-\(UUID().uuidString.prefix(8))", config: config)
        try await client.startContainer(id: id)
        return id
    }

    /// Runs `body` with a started container and removes it afterwards, also when `body` throws.
    private func withContainer(
        _ script: String, tty: Bool = false, openStdin: Bool = false, _ body: (String) async throws -> Void
    ) async throws {
        let id = try await runBusybox(script, tty: tty, openStdin: openStdin)
        do {
            try await body(id)
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    private func cleanUp() async {
        for container in (try? await client.listContainers(labels: [label])) ?? [] {
            try? await client.killContainer(id: container.id, signal: "KILL")
            try? await client.removeContainer(id: container.id)
        }
    }

    private func readAll(_ stream: any ContainerStream) async throws -> (stdout: String, stderr: String) {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        while let output = try await stream.readOutput() {
            switch output {
            case .stdout(let bytes): stdout += bytes
            case .stderr(let bytes): stderr += bytes
            }
        }
        return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    private func exitCode(_ execID: String) async throws -> Int? {
        for _ in 0..<50 {
            let state = try await client.inspectExec(execID: execID)
            if !state.running { return state.exitCode }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test("an exec without a terminal keeps stdout and stderr apart and reports its exit code")
    func execSeparatesStreams() async throws {
        try await withContainer("sleep 1000") { id in
            let (execID, stream) = try await client.startExec(
                containerID: id, command: ["sh", "-c", "echo out; echo err >&2; exit 3"],
                streams: ContainerStreamOptions(stdin: false, stdout: true, stderr: true, tty: false))
            let output = try await readAll(stream)
            #expect(output.stdout == "out\n")
            #expect(output.stderr == "err\n")
            #expect(try await exitCode(execID) == 3)
        }
    }

    @Test("stdin written to an exec reaches the process and closing it ends cat")
    func execStdinHalfClose() async throws {
        try await withContainer("sleep 1000") { id in
            let (execID, stream) = try await client.startExec(
                containerID: id, command: ["cat"], streams: ContainerStreamOptions(stdin: true, stdout: true, stderr: true, tty: false))
            try await stream.writeStdin(Array("hello\n".utf8))
            try await stream.writeStdin(Array("world\n".utf8))
            stream.closeStdin()
            let output = try await readAll(stream)
            #expect(output.stdout == "hello\nworld\n")
            #expect(try await exitCode(execID) == 0)
        }
    }

    @Test("a tty exec is resized and sees its new size")
    func ttyResize() async throws {
        try await withContainer("sleep 1000") { id in
            let (execID, stream) = try await client.startExec(
                containerID: id, command: ["sh", "-c", "read line; stty size"],
                streams: ContainerStreamOptions(stdin: true, stdout: true, stderr: false, tty: true))
            try await client.resizeExec(execID: execID, width: 123, height: 45)
            try await stream.writeStdin(Array("go\n".utf8))
            let output = try await readAll(stream)
            #expect(output.stdout.contains("45 123"))
            #expect(output.stderr.isEmpty)
        }
    }

    @Test("a missing binary ends the exec with exit code 126 or 127 and the runtime's message")
    func missingBinary() async throws {
        try await withContainer("sleep 1000") { id in
            let (execID, stream) = try await client.startExec(
                containerID: id, command: ["no-such-binary"],
                streams: ContainerStreamOptions(stdin: false, stdout: true, stderr: true, tty: false))
            let output = try await readAll(stream)
            let code = try await exitCode(execID)
            #expect(code == 126 || code == 127)
            #expect((output.stdout + output.stderr).contains("no-such-binary"))
        }
    }

    @Test("attach to a container with stdin echoes what is written and follows its output")
    func attachEchoes() async throws {
        try await withContainer("while read line; do echo got $line; done", openStdin: true) { id in
            let stream = try await client.attachContainer(
                containerID: id, streams: ContainerStreamOptions(stdin: true, stdout: true, stderr: true, tty: false))
            try await stream.writeStdin(Array("one\n".utf8))
            var text = ""
            while !text.contains("got one\n"), let output = try await stream.readOutput() {
                if case .stdout(let bytes) = output { text += String(decoding: bytes, as: UTF8.self) }
            }
            #expect(text == "got one\n")
            stream.close()
        }
    }

    @Test("a tty container is resized")
    func containerResize() async throws {
        try await withContainer("sleep 1000", tty: true, openStdin: true) { id in
            try await client.resizeContainer(containerID: id, width: 100, height: 30)
        }
    }

    @Test("an exec in an unknown container is a 404 naming it")
    func unknownContainer() async throws {
        do {
            _ = try await client.startExec(
                containerID: "clc-no-such-container", command: ["true"],
                streams: ContainerStreamOptions(stdin: false, stdout: true, stderr: false, tty: false))
            Issue.record("the exec started")
        } catch {
            #expect(error.isNotFound)
            #expect(error.description.contains("clc-no-such"))
        }
    }
}
