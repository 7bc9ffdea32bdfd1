import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NodeServer
import Synchronization
import Testing
import WSClient

@Suite("Upgrades of /exec, /attach and /portForward to SPDY/3.1 and WebSocket")
struct UpgradeTests {
    let certificates = TestCertificates.shared

    static func spdyRequest(_ path: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: node-1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n"
    }

    @Test("a SPDY/3.1 upgrade answers 101 with the responder's headers, then the session gets the raw bytes both ways")
    func spdyUpgrade() async throws {
        let responder = EchoResponder()
        try await NodeServerFixture.with(endpoints: NodeEndpoints(streaming: responder)) { server in
            let client = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
            let answers = try await client.converse([
                (Array(Self.spdyRequest("/exec/default/web/nginx?command=sh&command=-c&stdin=1").utf8), { $0.contains("\r\n\r\n") }),
                ([0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef], { $0.utf8.count >= 12 }),
            ])
            let head = answers[0].lowercased()
            #expect(head.hasPrefix("http/1.1 101 switching protocols\r\n"))
            #expect(head.contains("connection: upgrade\r\n"))
            #expect(head.contains("upgrade: spdy/3.1\r\n"))
            #expect(head.contains("x-stream-protocol-version: v4.channel.k8s.io\r\n"))
            #expect(Array(answers[1].utf8).prefix(8) == [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04])
            let request = try #require(responder.requests.first)
            #expect(request.path == "/exec/default/web/nginx")
            #expect(request.query["command"] == ["sh", "-c"])
            #expect(request.method == "POST")
            #expect(request.user == "system:kube-apiserver")
            #expect(request.headers["x-stream-protocol-version"] == ["v4.channel.k8s.io"])
        }
    }

    @Test("an upgrade without a valid certificate is a plain 401, a forbidden one 403, a rejected one the responder's status")
    func refusedUpgrades() async throws {
        let responder = EchoResponder()
        let authorizer = FakeAuthorizer(allowed: ["system:kube-apiserver"])
        try await NodeServerFixture.with(endpoints: NodeEndpoints(streaming: responder), authorizer: authorizer) { server in
            for identity in [nil, certificates.expiredClient, certificates.foreignClient] {
                let client = try await RawTLSClient.connect(port: server.ports.port, identity: identity)
                let answer = try await client.exchange(Self.spdyRequest("/exec/default/web/nginx"))
                #expect(answer.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
                #expect(answer.hasSuffix("\r\n\r\nUnauthorized"))
            }
            let rejected = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
                .exchange(Self.spdyRequest("/attach/default/web/reject"))
            #expect(rejected.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
            #expect(rejected.hasSuffix("container \"reject\" not found"))
            #expect(responder.requests.count == 1)
        }
        let strict = FakeAuthorizer(allowed: [])
        try await NodeServerFixture.with(endpoints: NodeEndpoints(streaming: responder), authorizer: strict) { server in
            let forbidden = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
                .exchange(Self.spdyRequest("/portForward/default/web?port=80"))
            #expect(forbidden.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
            #expect(forbidden.hasSuffix("Forbidden (user=system:kube-apiserver, verb=create, resource=nodes, subresource(s)=[proxy])"))
        }
    }

    @Test("/exec without an upgrade is 400 saying an upgrade is required")
    func notUpgraded() async throws {
        try await NodeServerFixture.with(endpoints: NodeEndpoints(streaming: EchoResponder())) { server in
            let response = try await server.get("/exec/default/web/nginx?command=ls", as: certificates.client)
            #expect(response.status == 400)
            #expect(response.text.contains("Upgrade request required"))
        }
    }

    @Test("a WebSocket client over TLS with a client certificate gets its subprotocol and echoed messages, fragments joined")
    func webSocketUpgrade() async throws {
        let responder = EchoResponder()
        try await NodeServerFixture.with(endpoints: NodeEndpoints(streaming: responder)) { server in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(certificates.client.certificatePEM.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(certificates.client.keyPEM.utf8), format: .pem))
            var headers = HTTPFields()
            headers[.secWebSocketProtocol] = "v4.channel.k8s.io"
            let received = Received()
            _ = try await WebSocketClient.connect(
                url: "wss://127.0.0.1:\(server.ports.port)/exec/default/web/nginx?command=ls&stdout=1",
                configuration: .init(additionalHeaders: headers), tlsConfiguration: tls, logger: NodeServerFixture.logger
            ) { inbound, outbound, _ in
                try await outbound.write(.binary(ByteBuffer(bytes: [1, 104, 105])))
                try await outbound.withTextMessageWriter { write in
                    try await write("frag")
                    try await write("mented")
                }
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                for _ in 0..<2 {
                    guard let message = try await messages.next() else { break }
                    received.append("\(message)")
                }
                try await outbound.write(.text("bye"))
                while try await messages.next() != nil {}
            }
            #expect(received.values.count == 2)
            #expect(received.values.last?.contains("fragmented") == true)
            #expect(responder.requests.first?.headers["sec-websocket-protocol"] == ["v4.channel.k8s.io"])
        }
    }
}

final class Received: Sendable {
    private let storage = Synchronization.Mutex<[String]>([])
    func append(_ value: String) { storage.withLock { $0.append(value) } }
    var values: [String] { storage.withLock { $0 } }
}
