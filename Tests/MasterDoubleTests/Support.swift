import AgentTime
import CurlHTTP
import Foundation
import MasterDouble
import Synchronization
import Testing

/// A started double and a client for it; the double stops when the fixture goes away.
struct Fixture {
    let master: MasterDouble
    let client: APIClient

    /// - Parameter clock: a manual clock for the master; its controllers then run only when the
    ///   test calls `runControllers()`.
    init(servesLeases: Bool = true, clock: ManualWallClock? = nil) throws {
        let now: @Sendable () -> Date
        if let clock {
            now = { clock.now }
        } else {
            now = { Date() }
        }
        master = try MasterDouble(servesLeases: servesLeases, clock: now, controllersRunOnTheirOwn: clock == nil)
        try master.start()
        client = APIClient(url: master.url)
    }
}

/// A wall clock that moves only when the test moves it: the master's time in tests of what it
/// does after seconds of silence, so that no test sleeps to show that nothing happened.
final class ManualWallClock: Sendable {
    private let current: Mutex<Date>

    /// Starts at a whole second, so that RFC 3339 timestamps (whole seconds) lose nothing.
    init(_ start: Date = Date(timeIntervalSince1970: 1_796_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(by duration: Duration) {
        current.withLock { $0 = $0.addingTimeInterval(duration.seconds) }
    }
}

/// JSON requests over libcurl, as the agent sends them.
struct APIClient: Sendable {
    let transport: CurlTransport

    init(url: String) {
        transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: url))
    }

    func get(_ path: String) async throws -> (status: Int, body: JSONValue) {
        try await send("GET", path)
    }

    func send(
        _ method: String, _ path: String, _ body: JSONValue? = nil, contentType: String = "application/json"
    ) async throws -> (status: Int, body: JSONValue) {
        // Generous: a relayed request reaches a Python kubelet stub over TLS, slow on a loaded machine.
        var request = HTTPRequest(method: method, path: path, timeout: .seconds(20))
        if let body {
            request = .json(method, path, body: body.serialized(), contentType: contentType, timeout: .seconds(20))
        }
        let response = try await transport.send(request)
        let json = (try? JSONValue.parse(response.body)) ?? .string(response.text)
        return (response.status, json)
    }

    /// Opens a watch and collects its events.
    func watch(_ path: String) -> WatchCollector {
        WatchCollector.start(transport.stream(HTTPRequest(path: path, timeout: nil)))
    }
}

/// Collects the events of a watch stream on a task of its own.
final class WatchCollector: Sendable {
    enum End: Sendable, Equatable {
        case finished
        case failed(String)
    }

    private struct State {
        var events: [JSONValue] = []
        var end: End?
        var task: Task<Void, Never>?
    }

    private let state = Mutex(State())

    static func start(_ stream: AsyncThrowingStream<[UInt8], any Error>) -> WatchCollector {
        let collector = WatchCollector()
        let task = Task {
            var splitter = LineSplitter()
            do {
                for try await chunk in stream {
                    let events = try splitter.append(chunk).compactMap { try? JSONValue.parse($0) }
                    collector.state.withLock { $0.events.append(contentsOf: events) }
                }
                collector.state.withLock { $0.end = .finished }
            } catch {
                collector.state.withLock { $0.end = .failed("\(error)") }
            }
        }
        collector.state.withLock { $0.task = task }
        return collector
    }

    var events: [JSONValue] { state.withLock { $0.events } }
    var types: [String] { events.map { $0["type"]?.stringValue ?? "?" } }
    var end: End? { state.withLock { $0.end } }

    /// Waits until at least `count` events arrived (or the stream ended, or the timeout).
    @discardableResult
    func waitForEvents(_ count: Int, timeout: Duration = .seconds(5)) async -> [JSONValue] {
        await poll(timeout) { $0.events.count >= count || $0.end != nil }
        return events
    }

    /// Waits until the stream ended.
    func waitForEnd(timeout: Duration = .seconds(5)) async -> End? {
        await poll(timeout) { $0.end != nil }
        return end
    }

    func cancel() {
        state.withLock { $0.task }?.cancel()
    }

    private func poll(_ timeout: Duration, _ done: (State) -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !state.withLock({ done($0) }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    deinit {
        state.withLock { $0.task }?.cancel()
    }
}

/// Builders for the objects the tests post.
enum Objects {
    static func pod(_ name: String, node: String? = nil, labels: [String: String] = ["app": "web"]) -> JSONValue {
        var spec: JSONValue = ["containers": [["name": "web", "image": "nginx:1.19", "ports": [["containerPort": 80, "name": "http"]]]]]
        if let node { spec["nodeName"] = .string(node) }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })],
            "spec": spec,
        ]
    }

    static func node(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": ["kubernetes.io/hostname": .string(name)]]]
    }
}

/// The guestbook manifests of the seed, beside the repository (`../shared/guestbook`).
enum Guestbook {
    static func manifest(_ file: String) throws -> Data {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Data(contentsOf: repository.appendingPathComponent("../shared/guestbook/\(file)").standardizedFileURL)
    }
}
