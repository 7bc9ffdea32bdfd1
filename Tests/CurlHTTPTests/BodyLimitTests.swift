import CurlHTTP
import Foundation
import Glibc
import Synchronization
import Testing

private struct Decision: Equatable {
    var keep: Int
    var proceed: Bool
    var exceeded: Bool
}

extension Decision {
    init(_ tuple: (keep: Int, proceed: Bool, exceeded: Bool)) {
        self.init(keep: tuple.keep, proceed: tuple.proceed, exceeded: tuple.exceeded)
    }
}

@Suite("The body limit of plain requests")
struct BodyLimitTests {
    @Test("a chunk within the room left is kept whole")
    func withinRoom() {
        let limit = BodyLimit(bytes: 10)
        #expect(Decision(limit.admit(chunk: 4, held: 6)) == Decision(keep: 4, proceed: true, exceeded: false))
    }

    @Test("a chunk past a failing limit keeps what fits and stops the transfer")
    func pastFailing() {
        #expect(Decision(BodyLimit(bytes: 10).admit(chunk: 5, held: 6)) == Decision(keep: 4, proceed: false, exceeded: true))
    }

    @Test("a chunk past a truncating limit keeps what fits and stops the transfer")
    func pastTruncating() {
        #expect(Decision(BodyLimit(bytes: 10, overflow: .truncate).admit(chunk: 5, held: 10)) == Decision(keep: 0, proceed: false, exceeded: true))
    }

    @Test("a chunk past a draining limit keeps what fits and lets the transfer go on")
    func pastDraining() {
        #expect(Decision(BodyLimit(bytes: 10, overflow: .discard).admit(chunk: 5, held: 8)) == Decision(keep: 2, proceed: true, exceeded: true))
    }

    @Test("a request's default limit is 64 MiB, failing past it")
    func defaultLimit() {
        #expect(HTTPRequest(path: "/").bodyLimit == BodyLimit(bytes: 64 << 20, overflow: .fail))
    }

    @Test("a body one byte longer than the request's limit fails naming the URL and the limit")
    func pastLimitFails() async throws {
        let server = try CannedUnixServer(body: [UInt8](repeating: 0x61, count: 100_001))
        defer { server.close() }
        var request = HTTPRequest(path: "/big")
        request.bodyLimit = BodyLimit(bytes: 100_000)
        do {
            _ = try await CurlTransport(endpoint: .unixSocket(server.path)).send(request)
            Issue.record("the request succeeded")
        } catch let error as HTTPError {
            guard case let .bodyTooLarge(label, limit) = error else {
                Issue.record("expected bodyTooLarge, got \(error)")
                return
            }
            #expect(label.contains("/big"))
            #expect(limit == 100_000)
            #expect("\(error)".contains("100000 bytes"))
        }
    }

    @Test("a body exactly as long as the request's limit is answered whole")
    func atLimitSucceeds() async throws {
        let server = try CannedUnixServer(body: [UInt8](repeating: 0x61, count: 100_000))
        defer { server.close() }
        var request = HTTPRequest(path: "/big")
        request.bodyLimit = BodyLimit(bytes: 100_000)
        let response = try await CurlTransport(endpoint: .unixSocket(server.path)).send(request)
        #expect(response.status == 200)
        #expect(response.body.count == 100_000)
    }

    @Test("a truncating limit answers the first bytes of a long body and stops reading it")
    func truncates() async throws {
        let server = try CannedUnixServer(body: [UInt8](repeating: 0x61, count: 32 << 20))
        defer { server.close() }
        var request = HTTPRequest(path: "/long")
        request.bodyLimit = BodyLimit(bytes: 10 * 1024, overflow: .truncate)
        let response = try await CurlTransport(endpoint: .unixSocket(server.path)).send(request)
        #expect(response.status == 200)
        #expect(response.body.count == 10 * 1024)
        // The server could not write the whole body: the client closed the connection.
        #expect(server.waitUntilDone() < 32 << 20)
    }

    @Test("a draining limit reads the body to its end but keeps only the first bytes")
    func drains() async throws {
        let server = try CannedUnixServer(body: [UInt8](repeating: 0x61, count: 1 << 20))
        defer { server.close() }
        var request = HTTPRequest(path: "/long")
        request.bodyLimit = BodyLimit(bytes: 1000, overflow: .discard)
        let response = try await CurlTransport(endpoint: .unixSocket(server.path)).send(request)
        #expect(response.body.count == 1000)
        #expect(server.waitUntilDone() == 1 << 20)
    }
}

/// A unix socket HTTP server that answers every request with 200 and a canned body, and counts
/// the body bytes it managed to write.
final class CannedUnixServer: @unchecked Sendable {
    // @unchecked: the descriptor is written once in init; the counters are in a Mutex.
    let path: String
    private let descriptor: Int32
    private let written = Mutex<(bytes: Int, done: Bool)>((0, false))

    init(body: [UInt8]) throws {
        path = "/tmp/clc-canned-\(UUID().uuidString.prefix(8)).sock"
        descriptor = try listeningUnixSocket(path: path)
        let listener = descriptor
        let thread = Thread { [self] in
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                var head: [UInt8] = []
                var byte: UInt8 = 0
                while !head.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)), recv(fd, &byte, 1, 0) == 1 { head.append(byte) }
                let start = Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
                _ = start.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var offset = 0
                while offset < body.count {
                    let count = body[offset...].prefix(65_536).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard count > 0 else { break }
                    offset += count
                }
                self.written.withLock { $0 = (offset, true) }
                Glibc.close(fd)
            }
        }
        thread.start()
    }

    /// The body bytes written to the last connection, once the server finished with it.
    func waitUntilDone() -> Int {
        for _ in 0..<500 {
            let state = written.withLock { $0 }
            if state.done { return state.bytes }
            usleep(10_000)
        }
        return -1
    }

    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
        unlink(path)
    }
}
