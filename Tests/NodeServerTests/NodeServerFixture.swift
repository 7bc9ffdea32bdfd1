import CurlHTTP
import Logging
import NodeServer
import ServiceLifecycle

/// A node server on ephemeral loopback ports with the test certificates, for one test.
struct NodeServerFixture {
    let ports: NodeServerService.ListeningPorts
    let certificates = TestCertificates.shared

    static let logger = Logger(label: "nodeserver-test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `body` against a server with these endpoints, then stops the server.
    static func with(
        endpoints: NodeEndpoints = NodeEndpoints(), authorizer: any Authorizer = AlwaysAllowAuthorizer(),
        tokens: (any TokenReviewer)? = nil, anonymous: Bool = false, maximumRequestHeadBytes: Int = 1 << 20,
        _ body: (NodeServerFixture) async throws -> Void
    ) async throws {
        let certificates = TestCertificates.shared
        let service = NodeServerService(
            configuration: .init(
                nodeName: "node-1", address: "127.0.0.1", port: 0, healthzPort: 0, tlsCertificateFile: certificates.serving.certificateFile,
                tlsPrivateKeyFile: certificates.serving.keyFile, clientCAFile: certificates.clientCA.certificateFile, anonymousAuth: anonymous,
                maximumRequestHeadBytes: maximumRequestHeadBytes, shutdownGracePeriod: .milliseconds(200)),
            endpoints: endpoints, tokenReviewer: tokens, authorizer: authorizer, logger: logger)
        let running = Task { try await service.run() }
        let ports = await service.listening()
        do {
            try await body(NodeServerFixture(ports: ports))
            running.cancel()
            _ = try? await running.value
        } catch {
            running.cancel()
            _ = try? await running.value
            throw error
        }
    }

    /// An HTTPS client of the node port; `identity` nil sends no client certificate.
    func client(_ identity: TestCertificates.Identity?, token: String? = nil) -> CurlTransport {
        CurlTransport(
            endpoint: HTTPEndpoint(
                baseURL: "https://127.0.0.1:\(ports.port)", clientCertificateFile: identity?.certificateFile,
                clientKeyFile: identity?.keyFile, bearerToken: token, insecureSkipTLSVerify: true),
            maxConcurrentRequests: 4)
    }

    func get(_ path: String, as identity: TestCertificates.Identity?, token: String? = nil, method: String = "GET") async throws
        -> HTTPResponse
    {
        try await client(identity, token: token).send(HTTPRequest(method: method, path: path, timeout: .seconds(20)))
    }
}
