import Dispatch
import Glibc
import SPDY
import Synchronization
import Testing
import TestSockets

/// kubectl 1.20 port-forward against `SPDYServerSession`: several forwarded connections at once,
/// each an error and a data stream, opened, echoed and half-closed from both ends.
/// What each client thread received, by connection index.
final class ReceivedBytes: Sendable {
    private let storage = Mutex<[Int: [UInt8]]>([:])
    func set(_ index: Int, _ bytes: [UInt8]) { storage.withLock { $0[index] = bytes } }
    subscript(index: Int) -> [UInt8]? { storage.withLock { $0[index] } }
    var count: Int { storage.withLock { $0.count } }
}

@Suite("kubectl 1.20 port-forward over SPDYServerSession", .serialized)
struct KubectlPortForwardTests {
    /// One TCP client of kubectl's local port, on its own thread: connects, sends, half-closes,
    /// reads to EOF.
    static func roundTrip(port: UInt16, _ payload: [UInt8], into results: ReceivedBytes, index: Int) {
        guard let fd = try? Loopback.connect(port: Int(port)) else {
            results.set(index, [])
            return
        }
        defer { close(fd) }
        try? writeAll(fd, payload)
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            received += chunk[0..<n]
        }
        results.set(index, received)
    }

    @Test("three forwarded connections at once each get their bytes back, and every stream pair closes")
    func echo() throws {
        let kubectl = try KubectlExecTests.kubectlPath()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try writeFile(scratch.path + "/stdin", [])
        let server = try LoopbackAPIServer(podName: "pod-a")
        let child = try ChildProcess(
            kubectl,
            ["--server=http://127.0.0.1:\(server.port)", "--namespace=default", "port-forward", "pod-a", ":8080"],
            environment: ["HOME=\(scratch.path)", "PATH=/usr/bin:/bin"],
            stdin: scratch.path + "/stdin", stdout: scratch.path + "/stdout", stderr: scratch.path + "/stderr")
        defer { child.terminate() }

        // kubectl prints "Forwarding from 127.0.0.1:<port> -> 8080" once it listens.
        var localPort: UInt16?
        let listening = try server.serve(timeoutMilliseconds: 15_000) {
            let text = String(decoding: (try? readFile(scratch.path + "/stdout")) ?? [], as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Forwarding from 127.0.0.1:") }) {
                localPort = UInt16(line.dropFirst("Forwarding from 127.0.0.1:".count).prefix { $0.isNumber })
            }
            return localPort != nil || child.poll()
        }
        let stderr = { String(decoding: (try? readFile(scratch.path + "/stderr")) ?? [], as: UTF8.self) }
        guard listening, let port = localPort else {
            Issue.record("kubectl port-forward did not start: \(stderr()); requests \(server.requestLog)")
            return
        }

        let payloads = (0..<3).map { noise(count: 100_000 * ($0 + 1)) }
        let results = ReceivedBytes()
        for (index, payload) in payloads.enumerated() {
            DispatchQueue.global().async { Self.roundTrip(port: port, payload, into: results, index: index) }
        }
        let done = try server.serve(timeoutMilliseconds: 20_000) { results.count == payloads.count }
        #expect(done, "stderr: \(stderr()); requests \(server.requestLog)")
        for (index, payload) in payloads.enumerated() {
            #expect(results[index] == payload, "connection \(index)")
        }
        #expect(server.spdyError == nil)
        let forward = try #require(server.portForwards.first)
        #expect(forward.dataStreamCount == 3)
        #expect(forward.streams.count == 6)
        #expect(forward.streams.values.allSatisfy { $0.port == "8080" })
        #expect(forward.openStreamIDs == [], "streams not finished on both sides")
        #expect(forward.resets == [])
        #expect(!child.poll(), "kubectl exited: \(stderr())")
    }
}
