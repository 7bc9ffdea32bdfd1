import CurlHTTP
import Foundation
import KubeAPI
import NodeServer
import Testing

@Suite("The node API over TLS with client certificates")
struct NodeServerTests {
    let certificates = TestCertificates.shared

    static let pods = FakePods(
        all: [
            Pod(metadata: ObjectMeta(name: "web", namespace: "default", uid: "u-web")),
            Pod(metadata: ObjectMeta(name: "db", namespace: "default", uid: "u-db")),
        ],
        running: [Pod(metadata: ObjectMeta(name: "web", namespace: "default", uid: "u-web"))])

    @Test("/pods answers a v1 PodList of the provider's pods to a client with a certificate from the client CA")
    func pods() async throws {
        try await NodeServerFixture.with(endpoints: NodeEndpoints(pods: Self.pods)) { server in
            let response = try await server.get("/pods", as: certificates.client)
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let list = try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(response.body))
            #expect(list.kind == "PodList")
            #expect(list.apiVersion == "v1")
            #expect(list.items.map(\.metadata.name) == ["web", "db"])

            let running = try await server.get("/runningpods/", as: certificates.client)
            #expect(try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(running.body)).items.map(\.metadata.name) == ["web"])
        }
    }

    @Test("no certificate, an expired one and one from another CA get 401 Unauthorized")
    func unauthenticated() async throws {
        try await NodeServerFixture.with(endpoints: NodeEndpoints(pods: Self.pods)) { server in
            for identity in [nil, certificates.expiredClient, certificates.foreignClient] {
                let response = try await server.get("/pods", as: identity)
                #expect(response.status == 401, "\(identity?.certificateFile ?? "no certificate")")
                #expect(response.text == "Unauthorized")
            }
        }
    }

    @Test("anonymous requests pass with --anonymous-auth, and a bearer token through the token reviewer")
    func anonymousAndTokens() async throws {
        let tokens = FakeTokenReviewer(users: ["t0k3n": UserInfo(name: "alice")])
        try await NodeServerFixture.with(endpoints: NodeEndpoints(pods: Self.pods), tokens: tokens, anonymous: true) { server in
            let anonymous = try await server.get("/pods", as: nil)
            #expect(anonymous.status == 200)
            let withToken = try await server.get("/pods", as: nil, token: "t0k3n")
            #expect(withToken.status == 200)
            let wrongToken = try await server.get("/pods", as: nil, token: "wrong")
            #expect(wrongToken.status == 401)
            #expect(try await server.get("/pods", as: certificates.expiredClient).status == 401)
        }
    }

    @Test("the authorizer's refusal is 403 naming user, verb and subresource, with kubelet's attributes")
    func forbidden() async throws {
        let authorizer = FakeAuthorizer(allowed: ["system:kube-apiserver"], subresources: ["proxy"])
        try await NodeServerFixture.with(endpoints: NodeEndpoints(pods: Self.pods), authorizer: authorizer) { server in
            #expect(try await server.get("/pods", as: certificates.client).status == 200)
            let refused = try await server.get("/metrics/cadvisor", as: certificates.client)
            #expect(refused.status == 403)
            #expect(refused.text == "Forbidden (user=system:kube-apiserver, verb=get, resource=nodes, subresource(s)=[metrics])")
            #expect(authorizer.questions.last == AuthorizationAttributes(verb: "get", subresource: "metrics", name: "node-1"))
        }
    }

    @Test("generated endpoints answer their renderer's content type and body; missing ones and unknown paths 404")
    func renderedEndpoints() async throws {
        let endpoints = NodeEndpoints(
            statsSummary: { ("application/json", Array("{\"node\":{}}".utf8)) },
            metrics: { ("text/plain; version=0.0.4", Array("kubelet_running_pods 2\n".utf8)) })
        try await NodeServerFixture.with(endpoints: endpoints) { server in
            let summary = try await server.get("/stats/summary", as: certificates.client)
            #expect(summary.status == 200)
            #expect(summary.headers["content-type"] == "application/json")
            #expect(summary.text == "{\"node\":{}}")
            #expect(try await server.get("/metrics", as: certificates.client).text == "kubelet_running_pods 2\n")
            #expect(try await server.get("/metrics/probes", as: certificates.client).status == 404)
            #expect(try await server.get("/nope", as: certificates.client).status == 404)
            #expect(try await server.get("/pods", as: certificates.client, method: "DELETE").status == 405)
        }
    }

    @Test("/healthz answers ok on both listeners, and 500 naming each failing check")
    func healthz() async throws {
        struct Stale: Error, CustomStringConvertible {
            var description: String { "the sync loop last ran 5m0s ago" }
        }
        let healthy = NodeEndpoints(healthChecks: [HealthCheck(name: "docker") {}])
        try await NodeServerFixture.with(endpoints: healthy) { server in
            #expect(try await server.get("/healthz", as: certificates.client).text == "ok")
            let plain = CurlTransport(endpoint: HTTPEndpoint(baseURL: "http://127.0.0.1:\(try #require(server.ports.healthzPort))"))
            let response = try await plain.send(HTTPRequest(path: "/healthz"))
            #expect(response.status == 200)
            #expect(response.text == "ok")
            #expect(try await plain.send(HTTPRequest(path: "/pods")).status == 404)
        }
        let failing = NodeEndpoints(healthChecks: [HealthCheck(name: "docker") {}, HealthCheck(name: "syncloop") { throw Stale() }])
        try await NodeServerFixture.with(endpoints: failing) { server in
            let plain = CurlTransport(endpoint: HTTPEndpoint(baseURL: "http://127.0.0.1:\(try #require(server.ports.healthzPort))"))
            let response = try await plain.send(HTTPRequest(path: "/healthz"))
            #expect(response.status == 500)
            #expect(response.text == "[+]docker ok\n[-]syncloop failed: the sync loop last ran 5m0s ago\nhealthz check failed\n")
        }
    }

    @Test("container logs stream chunked; the provider's refusal keeps its status and message")
    func containerLogs() async throws {
        let logs = FakeLogs(chunks: [Array("line 1\n".utf8), Array("line 2\n".utf8)], follow: false)
        try await NodeServerFixture.with(endpoints: NodeEndpoints(containerLogs: logs)) { server in
            let response = try await server.get("/containerLogs/default/web/nginx?tailLines=2", as: certificates.client)
            #expect(response.status == 200)
            #expect(response.text == "line 1\nline 2\n")
            let missing = try await server.get("/containerLogs/default/nope/nginx", as: certificates.client)
            #expect(missing.status == 404)
            #expect(missing.text == "pod \"default/nope\" not found")
        }
    }

    @Test("a follow client that disconnects ends the log stream: the producer sees its consumer cancel")
    func followClientDisconnects() async throws {
        let logs = FakeLogs(chunks: [Array("first line\n".utf8)], follow: true)
        try await NodeServerFixture.with(endpoints: NodeEndpoints(containerLogs: logs)) { server in
            let client = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
            let answer = try await client.exchange(
                "GET /containerLogs/default/web/nginx?follow=true HTTP/1.1\r\nHost: node\r\n\r\n", until: { $0.contains("first line") })
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.lowercased().contains("transfer-encoding: chunked"))
            // The client has closed; the server notices and cancels the stream.
            let deadline = ContinuousClock.now + .seconds(10)
            while logs.terminationReasons.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(logs.terminationReasons == ["cancelled"])
        }
    }
}
