import ContainerLogs
import DockerEngine
import Foundation
import KubeAPI
import PodRuntime
import Synchronization
import Testing
import TestSupport

/// The real engine's logs endpoint behind the log service.
@Suite("Container logs from the real Docker engine")
struct DockerLogsTests {
    struct Directory: LogPodDirectory {
        let id: String
        func pod(namespace: String, name: String) async -> (pod: Pod, status: PodStatus?, observed: ObservedPod)? {
            let json = #"{"metadata":{"name":"web","namespace":"default","uid":"u1"},"spec":{"containers":[{"name":"app","image":"busybox"}]}}"#
            let pod = try! JSONDecoder().decode(Pod.self, from: Data(json.utf8))
            let container = ObservedContainer(id: id, name: "app", podUID: "u1", state: .running, createdAt: Date())
            return (pod, nil, ObservedPod(uid: "u1", containers: [container]))
        }
    }

    func run(_ script: String, _ body: (ContainerLogsService, String) async throws -> Void) async throws {
        let docker = try TestDocker()
        let id = try await docker.client.createContainer(
            name: "clc-logs-\(UUID().uuidString.prefix(8))",
            config: ContainerCreateConfig(image: "clc-test/busybox:latest", cmd: ["sh", "-c", script], labels: ["io.clc-node.test": "logs"]))
        defer { Task { try? await docker.client.removeContainer(id: id) } }
        try await docker.client.startContainer(id: id)
        try await body(ContainerLogsService(pods: Directory(id: id), source: docker.client), id)
        try? await docker.client.killContainer(id: id, signal: "KILL")
    }

    @Test("tailLines=2 of an ended container gives its last two lines, both streams")
    func tailOfEndedContainer() async throws {
        try await run("for i in 1 2 3; do echo out $i; done; sleep 0.3; echo err >&2; exit 0") { logs, id in
            _ = try await eventually("the container ends") { try await TestDocker().client.inspectContainer(id: id).state.running == false }
            let stream = try await logs.openLogs(namespace: "default", pod: "web", container: "app", query: ["tailLines": ["2"]]).get()
            let text = try await collect(stream)
            #expect(text == "out 3\nerr\n")
        }
    }

    @Test("follow streams lines as the container prints them and ends when the container ends")
    func followEndsWithTheContainer() async throws {
        try await run("echo first; sleep 1; echo second; sleep 1") { logs, _ in
            let started = ContinuousClock.now
            let stream = try await logs.openLogs(namespace: "default", pod: "web", container: "app", query: ["follow": ["true"]]).get()
            #expect(try await collect(stream) == "first\nsecond\n")
            #expect(ContinuousClock.now - started > .milliseconds(1500))
        }
    }

    @Test("a follow client that goes away ends the engine's transfer: no thread is left behind")
    func followClientGoesAway() async throws {
        try await run("while true; do echo tick; sleep 0.2; done") { logs, _ in
            let before = Self.threadCount()
            for _ in 0..<5 {
                let stream = try await logs.openLogs(namespace: "default", pod: "web", container: "app", query: ["follow": ["1"]]).get()
                var iterator = stream.makeAsyncIterator()
                #expect(try await iterator.next() != nil)
            }
            // Each dropped iterator cancelled its transfer; the curl threads end within a second.
            _ = try await eventually("the transfers end", timeout: .seconds(5)) { Self.curlThreads() == 0 }
            _ = before
        }
    }

    @Test("timestamps=true prefixes each line with an RFC 3339 time")
    func timestamps() async throws {
        try await run("echo stamped") { logs, id in
            _ = try await eventually("the container ends") { try await TestDocker().client.inspectContainer(id: id).state.running == false }
            let text = try await collect(logs.openLogs(namespace: "default", pod: "web", container: "app", query: ["timestamps": ["true"]]).get())
            let parts = text.split(separator: " ", maxSplits: 1)
            #expect(parts.count == 2 && KubeTime.parse(String(parts[0])) != nil && parts[1] == "stamped\n")
        }
    }

    /// Threads named by CurlTransport for a stream.
    static func curlThreads() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.hasPrefix("curl stream") == true }.count
    }

    static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }
}
