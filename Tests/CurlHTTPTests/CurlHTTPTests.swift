import CurlHTTP
import Foundation
import Testing

@Suite("Line splitting of JSON-lines streams")
struct LineSplitterTests {
    @Test("lines split across chunks are joined and blank lines dropped")
    func joinsAcrossChunks() throws {
        var splitter = LineSplitter()
        #expect(try splitter.append(Array("{\"a\":1}\n{\"b\"".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}"])
        #expect(try splitter.append(Array(":2}\r\n\n".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["{\"b\":2}"])
        #expect(splitter.finish() == nil)
    }

    @Test("a last line without a newline is returned by finish")
    func finishReturnsRemainder() throws {
        var splitter = LineSplitter()
        #expect(try splitter.append(Array("tail".utf8)).isEmpty)
        #expect(splitter.finish().map { String(decoding: $0, as: UTF8.self) } == "tail")
    }

    @Test("a line exactly as long as the limit is returned, across chunks and with a CR before its newline")
    func lineAtLimit() throws {
        var splitter = LineSplitter(maxLineBytes: 8, stream: "test stream")
        #expect(try splitter.append(Array("12345".utf8)).isEmpty)
        #expect(try splitter.append(Array("678\r".utf8)).isEmpty)
        #expect(try splitter.append(Array("\n".utf8)) == [Array("12345678".utf8)])
    }

    @Test("a complete line one byte past the limit fails naming the stream and the limit")
    func completeLinePastLimit() {
        var splitter = LineSplitter(maxLineBytes: 8, stream: "GET /watch")
        #expect(throws: LineSplitter.LineTooLong(stream: "GET /watch", limit: 8)) {
            _ = try splitter.append(Array("ok\n123456789\n".utf8))
        }
    }

    @Test("a partial line past the limit fails at once, without waiting for its newline")
    func partialLinePastLimit() throws {
        var splitter = LineSplitter(maxLineBytes: 8, stream: "docker events")
        #expect(try splitter.append(Array("1234".utf8)).isEmpty)
        do {
            _ = try splitter.append(Array("56789".utf8))
            Issue.record("no error")
        } catch {
            #expect(error.description == "docker events: a line longer than the limit of 8 bytes")
        }
        #expect(splitter.finish() == nil)
    }

    @Test("the watch limit is 16 MiB and the event limit 1 MiB")
    func defaults() {
        #expect(LineSplitter().maxLineBytes == 16 << 20)
        #expect(LineSplitter.eventMaxLineBytes == 1 << 20)
    }
}

@Suite("The libcurl transport")
struct CurlTransportTests {
    @Test("a socket nobody listens on is a transport error naming the request")
    func refusedSocket() async throws {
        let transport = CurlTransport(endpoint: .unixSocket("/tmp/clc-no-such-socket-\(UUID().uuidString)"))
        do {
            _ = try await transport.send(HTTPRequest(path: "/version"))
            Issue.record("the request succeeded")
        } catch let error as HTTPError {
            guard case let .transport(request, _, _) = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect(request.contains("/version"))
        }
    }

    @Test("a server that accepts but never answers times out after the request's timeout")
    func silentServerTimesOut() async throws {
        let path = "/tmp/clc-silent-\(UUID().uuidString.prefix(8)).sock"
        let listener = try SilentUnixServer(path: path)
        defer { listener.close() }
        let transport = CurlTransport(endpoint: .unixSocket(path))
        let started = ContinuousClock.now
        do {
            _ = try await transport.send(HTTPRequest(path: "/hang", timeout: .milliseconds(300)))
            Issue.record("the request succeeded")
        } catch let error as HTTPError {
            guard case .timedOut = error else {
                Issue.record("expected a time-out, got \(error)")
                return
            }
        }
        // The bound is loose on purpose: CI starts every suite at once on two cores. Without the
        // time-out the request would never end at all (the server never answers).
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test("cancelling the task that sends a request ends it")
    func cancellationEndsRequest() async throws {
        let path = "/tmp/clc-silent-\(UUID().uuidString.prefix(8)).sock"
        let listener = try SilentUnixServer(path: path)
        defer { listener.close() }
        let transport = CurlTransport(endpoint: .unixSocket(path))
        let task = Task { try await transport.send(HTTPRequest(path: "/hang", timeout: .seconds(30))) }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: HTTPError.self) { _ = try await task.value }
        // Well below the request's own 30 s time-out, with room for a loaded CI machine.
        #expect(ContinuousClock.now - started < .seconds(15))
    }
}

/// A unix socket that accepts connections and never answers.
final class SilentUnixServer: @unchecked Sendable {
    // @unchecked: the descriptor is written once in init and closed once.
    private let descriptor: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        descriptor = try listeningUnixSocket(path: path)
    }

    func close() {
        Glibc.close(descriptor)
        unlink(path)
    }
}
