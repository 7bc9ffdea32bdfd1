import CurlHTTP
import Foundation
import Testing

@testable import MasterDouble

@Suite("The double passes upgraded connections (SPDY, WebSocket) through to the node byte for byte", .serialized)
struct ProxyUpgradeTests {
    /// Opens an upgraded connection through the double and reads until `expected` bytes arrived.
    private func upgrade(_ proxy: ProxyFixture, path: String, protocol upgrade: String) async throws -> (RawConnection, HTTPResponseHead, [UInt8]) {
        let raw = try await RawConnection.connect(to: HTTPEndpoint(baseURL: proxy.master.url))
        let head = try await raw.upgrade(HTTPRequest(
            method: "POST", path: path,
            headers: [
                HTTPHeader("Connection", "Upgrade"), HTTPHeader("Upgrade", upgrade),
                HTTPHeader("X-Stream-Protocol-Version", "v4.channel.k8s.io"),
            ],
            timeout: .seconds(10)))
        return (raw, head, head.leftover)
    }

    private func read(_ raw: RawConnection, into received: inout [UInt8], until count: Int) async throws {
        while received.count < count {
            guard let bytes = try await raw.receive() else { break }
            received += bytes
        }
    }

    @Test("exec: the 101 comes back with the node's headers, the path is the node's, and bytes echo both ways")
    func execEcho() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        let (raw, head, leftover) = try await upgrade(
            proxy, path: "/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=id&stdin=true&stdout=true&tty=false",
            protocol: "SPDY/3.1")
        defer { raw.close() }
        #expect(head.status == 101)
        #expect(head.header("X-Stream-Protocol-Version") == "v4.channel.k8s.io")
        #expect(head.header("Upgrade") == "SPDY/3.1")
        let line = Array("path /exec/default/web/app?command=sh&command=-c&command=id&stdin=1&stdout=1\n".utf8)
        var received = leftover
        try await read(raw, into: &received, until: line.count)
        #expect(received == line)

        // Every byte value, in both directions, in several writes.
        let payload = (0..<4).flatMap { _ in (0...255).map { UInt8($0) } }
        try await raw.send(Array(payload[0..<300]))
        try await raw.send(Array(payload[300...]))
        var echoed: [UInt8] = []
        try await read(raw, into: &echoed, until: payload.count)
        #expect(echoed == payload)
        let record = try #require(proxy.master.requests().last)
        #expect(record.resource == "pods/exec")
        #expect(record.status == 101)
    }

    @Test("port-forward over WebSocket reaches portForward with the ports as port")
    func portForward() async throws {
        let proxy = try ProxyFixture(containers: ["a", "b"])
        defer { proxy.stop() }
        let (raw, head, leftover) = try await upgrade(
            proxy, path: "/api/v1/namespaces/default/pods/web/portforward?ports=80&ports=443", protocol: "websocket")
        defer { raw.close() }
        #expect(head.status == 101)
        let line = Array("path /portForward/default/web?port=80&port=443\n".utf8)
        var received = leftover
        try await read(raw, into: &received, until: line.count)
        #expect(received == line)
        try await raw.send([1, 2, 3])
        var echoed: [UInt8] = []
        try await read(raw, into: &echoed, until: 3)
        #expect(echoed == [1, 2, 3])
    }

    @Test("a node that cannot be reached is 503 naming its address")
    func unreachable() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        proxy.stub.stop()
        let (raw, head, _) = try await upgrade(proxy, path: "/api/v1/namespaces/default/pods/web/attach?stdout=true", protocol: "SPDY/3.1")
        raw.close()
        #expect(head.status == 503)
    }
}
