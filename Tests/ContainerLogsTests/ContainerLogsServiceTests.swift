import ContainerLogs
import DockerEngine
import Foundation
import KubeAPI
import PodRuntime
import Synchronization
import Testing

/// A log source that records what it was asked for and answers with canned bytes.
final class RecordingLogSource: ContainerLogSource {
    let output: [String: [[UInt8]]]
    let asked = Mutex<[(id: String, options: DockerLogOptions)]>([])

    init(output: [String: [[UInt8]]]) { self.output = output }

    func containerLogs(id: String, options: DockerLogOptions) -> AsyncThrowingStream<[UInt8], any Error> {
        asked.withLock { $0.append((id, options)) }
        let chunks = output[id] ?? []
        return AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }
}

/// One pod, `web` in `default`, whose container `app` ran twice.
struct OnePodDirectory: LogPodDirectory {
    var tty = false
    var instances: [ObservedContainer] = [
        ObservedContainer(id: "first", name: "app", podUID: "u1", state: .exited, createdAt: Date(timeIntervalSince1970: 100)),
        ObservedContainer(id: "second", name: "app", podUID: "u1", state: .running, restartCount: 1, createdAt: Date(timeIntervalSince1970: 200)),
    ]

    func pod(namespace: String, name: String) async -> (pod: Pod, status: PodStatus?, observed: ObservedPod)? {
        guard namespace == "default", name == "web" else { return nil }
        let json = #"{"metadata":{"name":"web","namespace":"default","uid":"u1"},"spec":{"containers":[{"name":"app","image":"busybox","tty":\#(tty)}]}}"#
        let pod = try! JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        return (pod, nil, ObservedPod(uid: "u1", containers: instances))
    }
}

/// A Docker log frame: stream type, three zero bytes, big-endian length, payload.
func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
    let payload = Array(text.utf8)
    let length = UInt32(payload.count)
    return [stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
}

func collect(_ stream: AsyncThrowingStream<[UInt8], any Error>) async throws -> String {
    var bytes: [UInt8] = []
    for try await chunk in stream { bytes += chunk }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite("Serving a container's log")
struct ContainerLogsServiceTests {
    let framed = frame(1, "one\n") + frame(2, "oops\n") + frame(1, "two\n")

    func service(_ source: RecordingLogSource, directory: OnePodDirectory = OnePodDirectory()) -> ContainerLogsService {
        ContainerLogsService(pods: directory, source: source, now: { Date(timeIntervalSince1970: 1_000) })
    }

    @Test("the current instance's frames come out as plain text, stdout and stderr interleaved")
    func currentInstance() async throws {
        let source = RecordingLogSource(output: ["second": [Array(framed.prefix(6)), Array(framed.dropFirst(6))]])
        let stream = try await service(source).openLogs(namespace: "default", pod: "web", container: "app", query: [:]).get()
        #expect(try await collect(stream) == "one\noops\ntwo\n")
        #expect(source.asked.withLock { $0.map(\.id) } == ["second"])
    }

    @Test("previous=true reads the instance before the current one")
    func previousInstance() async throws {
        let source = RecordingLogSource(output: ["first": [frame(1, "before the crash\n")]])
        let stream = try await service(source).openLogs(namespace: "default", pod: "web", container: "app", query: ["previous": ["true"]]).get()
        #expect(try await collect(stream) == "before the crash\n")
    }

    @Test("previous=true of a container that never restarted is a 400 naming container and pod")
    func noPreviousInstance() async {
        var directory = OnePodDirectory()
        directory.instances.removeFirst()
        let result = await service(RecordingLogSource(output: [:]), directory: directory)
            .openLogs(namespace: "default", pod: "web", container: "app", query: ["previous": ["1"]])
        #expect(result.failure == LogRequestError(status: 400, message: "previous terminated container \"app\" in pod \"web\" not found"))
    }

    @Test("an unknown pod or container is a 404 that names it")
    func unknownNames() async {
        let logs = service(RecordingLogSource(output: [:]))
        #expect(await logs.openLogs(namespace: "default", pod: "db", container: "app", query: [:]).failure?.message == "pod \"db\" does not exist")
        #expect(await logs.openLogs(namespace: "other", pod: "web", container: "app", query: [:]).failure?.status == 404)
        #expect(
            await logs.openLogs(namespace: "default", pod: "web", container: "sidecar", query: [:]).failure
                == LogRequestError(status: 404, message: "container \"sidecar\" not found in pod \"web\""))
    }

    @Test("a container with no instance yet is waiting to start")
    func noInstanceYet() async {
        var directory = OnePodDirectory()
        directory.instances = []
        let result = await service(RecordingLogSource(output: [:]), directory: directory)
            .openLogs(namespace: "default", pod: "web", container: "app", query: [:])
        #expect(result.failure?.message == "container \"app\" in pod \"web\" is waiting to start: ContainerCreating")
    }

    @Test("the options reach the engine: stream, follow, timestamps, tail and since counted back from now")
    func optionsReachTheEngine() async throws {
        let source = RecordingLogSource(output: [:])
        _ = try await collect(
            service(source).openLogs(
                namespace: "default", pod: "web", container: "app",
                query: ["stream": ["Stderr"], "follow": ["true"], "timestamps": ["true"], "sinceSeconds": ["60"]]
            ).get())
        let asked = try #require(source.asked.withLock { $0.first?.options })
        #expect(!asked.stdout && asked.stderr && asked.follow && asked.timestamps)
        #expect(asked.since == 940 && asked.tail == nil)
    }

    @Test("limitBytes cuts the output at that many bytes, across frames")
    func limitBytes() async throws {
        let source = RecordingLogSource(output: ["second": [framed]])
        let stream = try await service(source).openLogs(namespace: "default", pod: "web", container: "app", query: ["limitBytes": ["6"]]).get()
        #expect(try await collect(stream) == "one\noo")
    }

    @Test("a TTY container's output is raw: nothing is taken for a frame header")
    func ttyIsRaw() async throws {
        let source = RecordingLogSource(output: ["second": [Array("\u{1}raw tty\r\n".utf8)]])
        var directory = OnePodDirectory()
        directory.tty = true
        let stream = try await service(source, directory: directory).openLogs(namespace: "default", pod: "web", container: "app", query: [:]).get()
        #expect(try await collect(stream) == "\u{1}raw tty\r\n")
    }
}

extension Result {
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}

@Suite("previous=true while the container waits to restart")
struct PreviousWhileWaitingTests {
    /// A pod whose container crashed twice and waits in CrashLoopBackOff.
    struct CrashLoopingPod: LogPodDirectory {
        func pod(namespace: String, name: String) async -> (pod: Pod, status: PodStatus?, observed: ObservedPod)? {
            let pod = try! JSONDecoder().decode(
                Pod.self,
                from: Data(#"{"metadata":{"name":"web","namespace":"default","uid":"u1"},"spec":{"containers":[{"name":"app","image":"busybox"}]}}"#.utf8))
            let status = try! JSONDecoder().decode(
                PodStatus.self,
                from: Data(#"{"containerStatuses":[{"name":"app","image":"busybox","imageID":"","ready":false,"restartCount":1,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"#.utf8))
            return (
                pod, status,
                ObservedPod(uid: "u1", containers: [
                    ObservedContainer(id: "first", name: "app", podUID: "u1", state: .exited, createdAt: Date(timeIntervalSince1970: 100)),
                    ObservedContainer(id: "second", name: "app", podUID: "u1", state: .exited, restartCount: 1, createdAt: Date(timeIntervalSince1970: 200)),
                ])
            )
        }
    }

    @Test("both the current and the previous log are the instance that just ended, as kubelet's lastState")
    func lastTerminated() async throws {
        let source = RecordingLogSource(output: ["second": [frame(1, "crashed\n")]])
        let logs = ContainerLogsService(pods: CrashLoopingPod(), source: source)
        #expect(try await collect(logs.openLogs(namespace: "default", pod: "web", container: "app", query: ["previous": ["true"]]).get()) == "crashed\n")
        #expect(try await collect(logs.openLogs(namespace: "default", pod: "web", container: "app", query: [:]).get()) == "crashed\n")
    }
}
