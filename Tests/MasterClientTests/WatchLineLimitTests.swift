import CurlHTTP
import Foundation
import KubeAPI
import Logging
import MasterClient
import Synchronization
import Testing

/// A master that lists no pods and answers each watch from a script: the first watch sends
/// `first`, later ones `later`; each stream then stays open until cancelled.
private final class ScriptedWatchTransport: HTTPTransport {
    let first: [UInt8]
    let later: [UInt8]
    private let watches = Mutex<[String]>([])

    init(first: [UInt8], later: [UInt8]) {
        self.first = first
        self.later = later
    }

    var watchPaths: [String] { watches.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(status: 200, body: Array(#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[]}"#.utf8))
    }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<[UInt8], any Error> {
        let count = watches.withLock { watches in
            watches.append(request.path)
            return watches.count
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        continuation.yield(count == 1 ? first : later)
        return stream
    }
}

private func event(_ name: String, version: String, padding: Int = 0) -> [UInt8] {
    let pad = String(repeating: "x", count: padding)
    return Array(
        #"{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"\#(name)","namespace":"default","resourceVersion":"\#(version)","annotations":{"pad":"\#(pad)"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}"#
            .utf8) + [UInt8(ascii: "\n")]
}

@Suite("The watch line limit")
struct WatchLineLimitTests {
    @Test("the master client's default watch line limit is 16 MiB and its answer limit 64 MiB")
    func defaults() {
        let configuration = MasterClient.Configuration()
        #expect(configuration.maxWatchLineBytes == 16 << 20)
        #expect(configuration.maxResponseBytes == 64 << 20)
    }

    @Test("a watch event longer than the limit ends that watch, and the reflector watches again from the last version")
    func overlongEventReconnects() async throws {
        let transport = ScriptedWatchTransport(first: event("huge", version: "6", padding: 4096), later: event("after", version: "7"))
        let seen = try await names(reflectedFrom: transport, maxWatchLineBytes: 2048, until: "after")
        #expect(seen == ["after"])
        #expect(transport.watchPaths.count == 2)
        // Resumed from the list's version: the refused event was never applied.
        #expect(transport.watchPaths.last?.contains("resourceVersion=5") == true)
    }

    @Test("a watch event just under the limit is applied")
    func eventUnderLimitApplies() async throws {
        let line = event("big", version: "6", padding: 1500)
        let transport = ScriptedWatchTransport(first: line, later: [])
        let seen = try await names(reflectedFrom: transport, maxWatchLineBytes: line.count - 1, until: "big")
        #expect(seen == ["big"])
        #expect(transport.watchPaths.count == 1)
    }

    /// The names of every pod a reflector over `transport` delivered, once `name` was among them
    /// (or 10 s passed).
    private func names(reflectedFrom transport: ScriptedWatchTransport, maxWatchLineBytes: Int, until name: String) async throws -> Set<String> {
        let client = MasterClient(
            endpoint: .init(baseURL: "http://master.invalid"), configuration: .init(retries: 0, maxWatchLineBytes: maxWatchLineBytes),
            logger: Logger(label: "test"), transport: transport)
        let seen = Mutex<Set<String>>([])
        let reflector = Reflector<Pod>(client: client, path: "/api/v1/pods", logger: Logger(label: "test")) { pods in
            seen.withLock { $0.formUnion(pods.compactMap(\.metadata.name)) }
        }
        let task = Task { await reflector.run() }
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, !seen.withLock({ $0.contains(name) }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        return seen.withLock { $0 }
    }
}
