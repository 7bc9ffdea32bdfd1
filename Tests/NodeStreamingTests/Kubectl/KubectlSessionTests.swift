import CurlHTTP
import Foundation
import NodeStreaming
import Testing

/// kubectl 1.20 (Debian's kubernetes-client: docker/spdystream, the SPDY client kube-apiserver
/// uses towards kubelets too) through a relaying stand-in for the API server to the sessions and
/// the real engine. kubectl comes from scripts/install-clients.sh; CLC_TEST_KUBECTL overrides it.
@Suite("kubectl 1.20 exec and port-forward through the SPDY sessions", .serialized)
struct KubectlSessionTests {
    static func kubectl() throws -> String {
        let path = ProcessInfo.processInfo.environment["CLC_TEST_KUBECTL"]
            ?? "/var/cache/clc-node/clients/kubectl-1.20/usr/bin/kubectl"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw RelayError("kubectl 1.20 not found at \(path): run scripts/install-clients.sh (as root) or set CLC_TEST_KUBECTL")
        }
        return path
    }

    /// Starts kubectl with `arguments` against `server`, stdin from `input`.
    static func start(_ arguments: [String], server: RelayAPIServer, input: [UInt8] = [], directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try kubectl())
        process.arguments = ["--server=http://127.0.0.1:\(server.port)", "--namespace=default"] + arguments
        process.environment = ["HOME": directory.path, "PATH": "/usr/bin:/bin"]
        let stdin = directory.appendingPathComponent("stdin")
        try Data(input).write(to: stdin)
        process.standardInput = try FileHandle(forReadingFrom: stdin)
        FileManager.default.createFile(atPath: directory.appendingPathComponent("stdout").path, contents: nil)
        FileManager.default.createFile(atPath: directory.appendingPathComponent("stderr").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        try process.run()
        return process
    }

    static func scratch() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/clc-kubectl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func wait(_ process: Process, seconds: Int) async throws {
        for _ in 0..<(seconds * 20) where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            throw RelayError("kubectl still ran after \(seconds) s")
        }
    }

    /// The local port of a running `kubectl port-forward`, from its "Forwarding from" line.
    static func forwardingPort(of process: Process, directory: URL, seconds: Int) async throws -> Int {
        let prefix = "Forwarding from 127.0.0.1:"
        for _ in 0..<(seconds * 20) {
            let stdout = (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
               let port = Int(line.dropFirst(prefix.count).prefix(while: \.isNumber)) {
                return port
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stderr = (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        throw RelayError("kubectl port-forward did not listen within \(seconds) s (running: \(process.isRunning)); stderr: \(stderr)")
    }

    @Test("kubectl exec -i passes stdin, gets stdout and stderr apart, and exits with the command's code 3")
    func exec() async throws {
        try await BusyboxPod.with { pod in
            let server = try RelayAPIServer(responder: RemoteCommandResponder(resolver: pod.resolver(), containers: pod.client))
            defer { server.close() }
            let directory = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let process = try Self.start(
                ["exec", "-i", "web", "-c", "app", "--", "sh", "-c", "cat; echo to-stderr >&2; exit 3"], server: server,
                input: Array("through kubectl\n".utf8), directory: directory)
            try await Self.wait(process, seconds: 30)
            let stdout = try String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)
            let stderr = try String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)
            #expect(stdout == "through kubectl\n")
            #expect(stderr.contains("to-stderr"))
            #expect(process.terminationStatus == 3, "stderr: \(stderr)")
        }
    }

    @Test("4 MiB through kubectl exec -i cat come back whole")
    func bulk() async throws {
        try await BusyboxPod.with { pod in
            let server = try RelayAPIServer(responder: RemoteCommandResponder(resolver: pod.resolver(), containers: pod.client))
            defer { server.close() }
            let directory = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            var generator = SystemRandomNumberGenerator()
            let input = (0..<(4 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let started = ContinuousClock.now
            let process = try Self.start(["exec", "-i", "web", "-c", "app", "--", "cat"], server: server, input: input, directory: directory)
            try await Self.wait(process, seconds: 60)
            let elapsed = ContinuousClock.now - started
            let stdout = try Data(contentsOf: directory.appendingPathComponent("stdout"))
            #expect(process.terminationStatus == 0)
            #expect(stdout.count == input.count)
            #expect(Array(stdout) == input)
            print("kubectl exec -i cat of \(input.count) bytes through the SPDY session and the engine: \(elapsed)")
        }
    }

    @Test("kubectl port-forward carries an HTTP GET to the pod's port 8080")
    func portForward() async throws {
        try await BusyboxPod.with { pod in
            let server = try RelayAPIServer(responder: RemoteCommandResponder(resolver: pod.resolver(), containers: pod.client))
            defer { server.close() }
            let directory = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            // kubectl picks a free local port and prints "Forwarding from 127.0.0.1:<port> -> 8080"
            // once it listens; under a parallel test round its discovery requests can take seconds.
            let process = try Self.start(["port-forward", "pod/web", ":8080"], server: server, directory: directory)
            defer { if process.isRunning { process.terminate() } }
            let localPort = try await Self.forwardingPort(of: process, directory: directory, seconds: 60)
            var answer = ""
            // The pod's httpd may still be starting: retry until it answers or 30 s pass.
            for _ in 0..<150 where !answer.contains("hello from the pod") {
                do {
                    let connection = try await RawConnection.connect(to: HTTPEndpoint(baseURL: "http://127.0.0.1:\(localPort)"))
                    defer { connection.close() }
                    try await connection.send(Array("GET / HTTP/1.0\r\n\r\n".utf8))
                    var bytes: [UInt8] = []
                    while let chunk = try await connection.receive() { bytes += chunk }
                    answer = String(decoding: bytes, as: UTF8.self)
                } catch {}
                if !answer.contains("hello from the pod") { try await Task.sleep(for: .milliseconds(200)) }
            }
            let stderr = (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
            #expect(answer.contains(" 200 OK\r\n"), "kubectl stderr: \(stderr)")
            #expect(answer.contains("hello from the pod"))
        }
    }
}
