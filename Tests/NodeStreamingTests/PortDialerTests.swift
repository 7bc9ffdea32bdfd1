import Foundation
import NodeStreaming
import Testing
import TestSockets

@Suite("Dialing into a pod's network namespace", .serialized)
struct PortDialerTests {
    @Test("a pod without a running infra container is an error naming the namespace path")
    func noNamespace() async {
        do {
            _ = try await NetworkNamespacePortDialer().dial(port: 80, networkNamespaceOf: 0)
            Issue.record("dialed")
        } catch {
            #expect(error.port == 80)
            #expect(error.reason.contains("/proc/0/ns/net"))
        }
    }

    @Test("the pod's loopback is reached, not the host's: a server on the pod's 127.0.0.1 answers")
    func reachesPodLoopback() async throws {
        try await BusyboxPod.with(
            script: "mkdir -p /www && echo loopback only > /www/index.html && httpd -f -p 127.0.0.1:38081 -h /www") { pod in
            var answer = ""
            for _ in 0..<30 where !answer.contains("loopback only") {
                do {
                    let connection = try await NetworkNamespacePortDialer().dial(port: 38081, networkNamespaceOf: pod.pid)
                    defer { connection.close() }
                    try await connection.send(Array("GET / HTTP/1.0\r\n\r\n".utf8))
                    var bytes: [UInt8] = []
                    while let chunk = try await connection.receive() { bytes += chunk }
                    answer = String(decoding: bytes, as: UTF8.self)
                } catch {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(answer.contains("loopback only"))
            // The host's loopback has no such server.
            #expect(throws: SocketCallError.self) { close(try Loopback.connect(port: 38081)) }
        }
    }
}
