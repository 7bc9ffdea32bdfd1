import CurlHTTP
import Foundation
import Testing

@Suite("Raw connections", .timeLimit(.minutes(1)))
struct RawConnectionTests {
    /// The private dockerd the test command starts (scripts/test.sh).
    static func dockerSocket() throws -> String {
        guard let socket = ProcessInfo.processInfo.environment["CLC_TEST_DOCKER_SOCKET"], !socket.isEmpty else {
            throw RawTestError("CLC_TEST_DOCKER_SOCKET is not set: run the tests with scripts/test.sh, which starts a private dockerd")
        }
        guard FileManager.default.fileExists(atPath: socket) else {
            throw RawTestError("CLC_TEST_DOCKER_SOCKET=\(socket) does not exist: is the test dockerd running?")
        }
        return socket
    }

    @Test("a raw GET /_ping to dockerd's socket reads the whole response and then EOF")
    func rawPing() async throws {
        let connection = try await RawConnection.connect(to: .unixSocket(try Self.dockerSocket()))
        defer { connection.close() }
        try await connection.send(Array("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n".utf8))
        var received: [UInt8] = []
        while let chunk = try await connection.receive() { received += chunk }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.hasSuffix("\r\n\r\nOK"))
        // EOF stays EOF.
        #expect(try await connection.receive() == nil)
    }

    @Test("the upgrade helper returns status, headers and the bytes after the head")
    func upgradeHelperParsesHead() async throws {
        let connection = try await RawConnection.connect(to: .unixSocket(try Self.dockerSocket()))
        defer { connection.close() }
        let head = try await connection.upgrade(HTTPRequest(path: "/_ping", timeout: .seconds(10)))
        #expect(head.status == 200)
        #expect(head.header("api-version") != nil)
        #expect(head.header("Content-Length") == "2")
        var body = head.leftover
        while body.count < 2, let chunk = try await connection.receive() { body += chunk }
        #expect(body == Array("OK".utf8))
    }

    @Test("closing the write side lets the peer read EOF while this side still receives its answer")
    func halfClose() async throws {
        let path = "/tmp/clc-raw-\(UUID().uuidString.prefix(8)).sock"
        let server = try CountingUnixServer(path: path)
        defer { server.close() }
        let connection = try await RawConnection.connect(to: .unixSocket(path))
        defer { connection.close() }
        #expect(connection.supportsHalfClose)
        try await connection.send(Array(repeating: 7, count: 100_000))
        try await connection.send([1, 2, 3])
        connection.closeWrite()
        var received: [UInt8] = []
        while let chunk = try await connection.receive() { received += chunk }
        #expect(String(decoding: received, as: UTF8.self) == "100003 bytes")
        await #expect(throws: HTTPError.self) { try await connection.send([1]) }
    }

    @Test("a socket nobody listens on fails to connect with a transport error naming it")
    func refused() async throws {
        let path = "/tmp/clc-no-such-socket-\(UUID().uuidString.prefix(8))"
        do {
            _ = try await RawConnection.connect(to: .unixSocket(path))
            Issue.record("connected")
        } catch let error as HTTPError {
            guard case let .transport(request, _, _) = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect(request.contains(path))
        }
    }

    @Test("a cancelled receive ends with CancellationError and a later receive gets the bytes")
    func cancelledReceive() async throws {
        let connection = try await RawConnection.connect(to: .unixSocket(try Self.dockerSocket()))
        defer { connection.close() }
        let waiting = Task { try await connection.receive() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        try await connection.send(Array("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n".utf8))
        var received: [UInt8] = []
        while let chunk = try await connection.receive() { received += chunk }
        #expect(String(decoding: received, as: UTF8.self).hasSuffix("OK"))
    }

    @Test("a response head is parsed once its blank line arrives, keeping what follows")
    func parsesHead() throws {
        let partial = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\n".utf8)
        #expect(try HTTPResponseHead.parse(partial, request: "t") == nil)
        let whole = partial + Array("Connection: Upgrade\r\n\r\n".utf8) + [1, 0, 0, 0]
        let head = try #require(try HTTPResponseHead.parse(whole, request: "t"))
        #expect(head.status == 101)
        #expect(head.reason == "Switching Protocols")
        #expect(head.header("upgrade") == "tcp")
        #expect(head.leftover == [1, 0, 0, 0])
        #expect(throws: HTTPError.self) { try HTTPResponseHead.parse(Array("SSH-2.0\r\n\r\n".utf8), request: "t") }
    }
}

struct RawTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A unix-socket server for one client: reads until EOF, answers "<n> bytes", closes.
final class CountingUnixServer: @unchecked Sendable {
    // @unchecked: the descriptor is written once in init and closed once.
    private let descriptor: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        descriptor = try listeningUnixSocket(path: path)
        let listener = descriptor
        let thread = Thread {
            // A signal meant for another thread of the test process (a child's SIGCHLD) may
            // interrupt either call; that is no reason to stop serving.
            var client: Int32
            repeat { client = accept(listener, nil, nil) } while client < 0 && errno == EINTR
            guard client >= 0 else { return }
            var total = 0
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(client, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                total += n
            }
            let answer = Array("\(total) bytes".utf8)
            _ = answer.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            Glibc.close(client)
        }
        thread.start()
    }

    func close() {
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
        unlink(path)
    }
}
