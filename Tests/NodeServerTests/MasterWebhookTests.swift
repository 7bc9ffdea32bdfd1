import CurlHTTP
import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import MasterClient
import NIOCore
import NIOPosix
import NodeServer
import Synchronization
import Testing

/// A tiny stand-in for the master's TokenReview and SubjectAccessReview endpoints: it records
/// each request body and answers from a closure.
final class ReviewStub: Sendable {
    private let bodies = Mutex<[String: [String]]>([:])
    let answer: @Sendable (_ path: String, _ body: [String: Any]) -> (Int, String)

    init(answer: @escaping @Sendable (_ path: String, _ body: [String: Any]) -> (Int, String)) {
        self.answer = answer
    }

    func received(_ path: String) -> [String] { bodies.withLock { $0[path] ?? [] } }

    /// Serves until `body` returns.
    func with(_ body: (MasterClient) async throws -> Void) async throws {
        let port = Mutex<Int?>(nil)
        let channel = HTTP1Channel(responder: { [self] request, writer, _ in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            let text = String(buffer: buffer)
            self.bodies.withLock { $0[request.uri.path, default: []].append(text) }
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            let (status, reply) = self.answer(request.uri.path, json)
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            fields[.contentLength] = String(reply.utf8.count)
            try await writer.write(
                response: HTTPResponse(status: .init(code: status), headerFields: fields), body: ResponseBody(byteBuffer: ByteBuffer(string: reply)))
        })
        let server = Server(
            childChannelSetup: channel, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: NodeServerFixture.logger)
        let running = Task { try await server.run() }
        defer { running.cancel() }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        let client = MasterClient(
            endpoint: HTTPEndpoint(baseURL: "http://127.0.0.1:\(port.withLock { $0 }!)"), configuration: .init(retries: 0),
            logger: NodeServerFixture.logger)
        try await body(client)
    }
}

@Suite("The master's TokenReview and SubjectAccessReview over real HTTP")
struct MasterWebhookTests {
    @Test("a TokenReview posts the token and reads the user; an unauthenticated answer carries the master's error")
    func tokenReview() async throws {
        let stub = ReviewStub { _, body in
            let token = (body["spec"] as? [String: Any])?["token"] as? String
            if token == "good" {
                return (201, #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{"authenticated":true,"user":{"username":"alice","uid":"42","groups":["devs"],"extra":{"scopes":["a"]}}}}"#)
            }
            return (201, #"{"kind":"TokenReview","status":{"authenticated":false,"error":"token expired"}}"#)
        }
        try await stub.with { client async throws in
            let reviewer = MasterTokenReviewer(client: client)
            #expect(
                try await reviewer.review(token: "good")
                    == .authenticated(UserInfo(name: "alice", uid: "42", groups: ["devs"], extra: ["scopes": ["a"]])))
            #expect(try await reviewer.review(token: "old") == .unauthenticated(reason: "token expired"))
        }
        let sent = try #require(stub.received("/apis/authentication.k8s.io/v1/tokenreviews").first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
        #expect(json["apiVersion"] as? String == "authentication.k8s.io/v1")
        #expect(json["kind"] as? String == "TokenReview")
        #expect((json["spec"] as? [String: Any])?["token"] as? String == "good")
    }

    @Test("a SubjectAccessReview carries user, groups and kubelet's resource attributes; denied and failed reviews deny")
    func subjectAccessReview() async throws {
        let stub = ReviewStub { _, body in
            let spec = body["spec"] as? [String: Any] ?? [:]
            if spec["user"] as? String == "alice" { return (201, #"{"status":{"allowed":true}}"#) }
            if spec["user"] as? String == "broken" { return (500, #"{"kind":"Status","message":"etcd down"}"#) }
            return (201, #"{"status":{"allowed":false,"reason":"no RBAC policy matched"}}"#)
        }
        let attributes = AuthorizationAttributes.forRequest(method: "GET", path: "/stats/summary", nodeName: "node-1")
        try await stub.with { client async throws in
            let authorizer = MasterSubjectAccessReviewer(client: client)
            #expect(await authorizer.authorize(UserInfo(name: "alice", groups: ["system:masters"]), attributes) == .allow)
            #expect(await authorizer.authorize(UserInfo(name: "bob"), attributes) == .deny(reason: "no RBAC policy matched"))
            guard case .deny(let reason) = await authorizer.authorize(UserInfo(name: "broken"), attributes) else {
                Issue.record("a failed review allowed")
                return
            }
            #expect(reason.hasPrefix(UncachedDenial.prefix))
        }
        let sent = try #require(stub.received("/apis/authorization.k8s.io/v1/subjectaccessreviews").first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
        #expect(json["apiVersion"] as? String == "authorization.k8s.io/v1")
        #expect(json["kind"] as? String == "SubjectAccessReview")
        let spec = try #require(json["spec"] as? [String: Any])
        #expect(spec["user"] as? String == "alice")
        #expect(spec["groups"] as? [String] == ["system:masters"])
        let resource = try #require(spec["resourceAttributes"] as? [String: String])
        #expect(resource == ["verb": "get", "group": "", "version": "v1", "resource": "nodes", "subresource": "stats", "name": "node-1"])
    }
}
