import CurlHTTP
import DockerEngine
import Testing

/// An engine that answers /version and streams `events` as its event stream.
private struct ScriptedEngine: HTTPTransport {
    var events: [UInt8]

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(status: 200, body: Array(#"{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12"}"#.utf8))
    }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<[UInt8], any Error> {
        let events = self.events
        return AsyncThrowingStream { continuation in
            continuation.yield(events)
            continuation.finish()
        }
    }
}

private func dieEvent(padding: Int) -> [UInt8] {
    let pad = String(repeating: "x", count: padding)
    return Array(#"{"Type":"container","Action":"die","Actor":{"ID":"c1","Attributes":{"pad":"\#(pad)"}}}"#.utf8) + [10]
}

@Suite("The Docker event line limit")
struct EventLineLimitTests {
    @Test("an event line longer than 1 MiB ends the event stream with an error naming it and the limit")
    func overlongLineEndsStream() async throws {
        let client = DockerClient(transport: ScriptedEngine(events: dieEvent(padding: 1 << 20)))
        var seen = 0
        do {
            for try await _ in client.containerEvents(labels: ["a=b"]) { seen += 1 }
            Issue.record("the stream ended without an error")
        } catch let error as LineSplitter.LineTooLong {
            #expect(error == LineSplitter.LineTooLong(stream: "docker events", limit: 1 << 20))
        }
        #expect(seen == 0)
    }

    @Test("an event line just under the limit is delivered")
    func lineUnderLimitDelivered() async throws {
        let client = DockerClient(transport: ScriptedEngine(events: dieEvent(padding: (1 << 20) - 200)))
        var actions: [String] = []
        for try await event in client.containerEvents(labels: ["a=b"]) { actions.append(event.action) }
        #expect(actions == ["die"])
    }
}
