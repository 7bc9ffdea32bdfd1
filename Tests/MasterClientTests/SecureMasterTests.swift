import CurlHTTP
import Foundation
import KubeAPI
import Logging
import MasterClient
import MasterDouble
import Synchronization
import Testing

/// The agent's TLS paths to a master of today (kubeconfig certificate-authority(-data),
/// client-certificate/key(-data), token, tokenFile, insecure-skip-tls-verify) against the HTTPS
/// double.
@Suite("The master client over HTTPS with a kubeconfig's credentials")
struct SecureMasterTests {
    let secure: SecureMasterDouble
    let directory: String

    init() throws {
        secure = try SecureMasterDouble()
        try secure.start()
        secure.master.authPolicy = AuthPolicy(tokens: ["node-token": ReviewedUser(username: "system:node:node-a")])
        directory = NSTemporaryDirectory() + "clc-secure-master-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes a kubeconfig with `cluster` and `user` fields (YAML flow mappings) and loads it.
    func client(cluster: String, user: String) throws -> MasterClient {
        let path = directory + "/kubeconfig-\(UUID().uuidString.prefix(6))"
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: main
              cluster: {server: "\(secure.url)"\(cluster.isEmpty ? "" : ", " + cluster)}
            users:
            - name: node
              user: {\(user)}
            contexts:
            - name: node
              context: {cluster: main, user: node}
            current-context: node
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let kubeconfig = try Kubeconfig.load(path: path, credentialsDirectory: directory + "/credentials")
        return MasterClient(kubeconfig: kubeconfig, configuration: .init(retries: 0), logger: Logger(label: "test"))
    }

    func listNodes(_ client: MasterClient) async throws(MasterError) -> Int {
        try await client.get(ObjectList<Node>.self, "/api/v1/nodes").items.count
    }

    static func base64(_ path: String) throws -> String {
        try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()
    }

    @Test("a client certificate of the master's CA, from files, is accepted")
    func clientCertificateFiles() async throws {
        let (certificate, key) = try secure.writeClientCertificate(user: "system:node:node-a", groups: ["system:nodes"])
        let client = try client(
            cluster: "certificate-authority: \"\(secure.caFile)\"",
            user: "client-certificate: \"\(certificate)\", client-key: \"\(key)\"")
        #expect(try await listNodes(client) == 0)
    }

    @Test("inline certificate-authority-data, client-certificate-data and client-key-data are accepted")
    func inlineData() async throws {
        let (certificate, key) = try secure.writeClientCertificate(user: "system:node:node-b", groups: ["system:nodes"])
        let client = try client(
            cluster: "certificate-authority-data: \(try Self.base64(secure.caFile))",
            user: "client-certificate-data: \(try Self.base64(certificate)), client-key-data: \(try Self.base64(key))")
        #expect(try await listNodes(client) == 0)
    }

    @Test("a bearer token the master knows is accepted")
    func token() async throws {
        let client = try client(cluster: "certificate-authority: \"\(secure.caFile)\"", user: "token: node-token")
        #expect(try await listNodes(client) == 0)
    }

    @Test("without credentials the master answers 401, named as such")
    func noCredentials() async throws {
        let client = try client(cluster: "certificate-authority: \"\(secure.caFile)\"", user: "")
        let error = await #expect(throws: MasterError.self) { try await listNodes(client) }
        guard case .unauthorized = error else { Issue.record("not named unauthorized: \(String(describing: error))"); return }
        #expect(error?.code == 401)
        #expect("\(error!)".contains("HTTP 401 Unauthorized"))
    }

    @Test("an unknown token is answered 401, named as such")
    func unknownToken() async throws {
        let client = try client(cluster: "certificate-authority: \"\(secure.caFile)\"", user: "token: stolen")
        let error = await #expect(throws: MasterError.self) { try await listNodes(client) }
        guard case .unauthorized = error else { Issue.record("not named unauthorized: \(String(describing: error))"); return }
    }

    @Test("a master whose certificate another CA signed is refused, the error naming the CA file")
    func wrongAuthority() async throws {
        let other = directory + "/other-ca.crt"
        try MasterCertificateAuthority(commonName: "someone-else").certificatePEM.write(toFile: other, atomically: true, encoding: .utf8)
        let client = try client(cluster: "certificate-authority: \"\(other)\"", user: "token: node-token")
        let error = await #expect(throws: MasterError.self) { try await listNodes(client) }
        guard case .untrustedMaster(_, let authority, _) = error else {
            Issue.record("not named untrustedMaster: \(String(describing: error))")
            return
        }
        #expect(authority == other)
        #expect("\(error!)".contains("is not trusted by the certificate authority \(other)"))
    }

    @Test("insecure-skip-tls-verify reaches the master without its CA")
    func insecureSkipVerify() async throws {
        let client = try client(cluster: "insecure-skip-tls-verify: true", user: "token: node-token")
        #expect(try await listNodes(client) == 0)
    }

    @Test("a rotated tokenFile is used from the next request on, without a new client")
    func rotatedTokenFile() async throws {
        let tokenFile = directory + "/token"
        try "node-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let client = try client(cluster: "certificate-authority: \"\(secure.caFile)\"", user: "tokenFile: \"\(tokenFile)\"")
        #expect(try await listNodes(client) == 0)

        // The master rotates: the old token is revoked, a new one is written (atomically, as
        // kubelet's atomic writer does for a projected token).
        secure.master.authPolicy = AuthPolicy(tokens: ["rotated-token": ReviewedUser(username: "system:node:node-a")])
        let refused = await #expect(throws: MasterError.self) { try await listNodes(client) }
        #expect(refused?.code == 401)
        try "rotated-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(try await listNodes(client) == 0)
    }

    @Test("a watch through the TLS front streams events, and plain HTTP to the double's own port is refused")
    func watchAndPlainRefused() async throws {
        let client = try client(cluster: "certificate-authority: \"\(secure.caFile)\"", user: "token: node-token")
        let delivered = DeliveredNames()
        let reflector = Reflector<Node>(client: client, path: "/api/v1/nodes", logger: Logger(label: "test")) { nodes in
            delivered.set(nodes.compactMap(\.metadata.name))
        }
        let task = Task { await reflector.run() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(300))
        _ = try secure.master.create(["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node-w"]])
        let deadline = ContinuousClock.now + .seconds(10)
        while delivered.names != ["node-w"], ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(delivered.names == ["node-w"])

        let plain = try await CurlTransport(endpoint: HTTPEndpoint(baseURL: secure.master.url))
            .send(HTTPRequest(path: "/api/v1/nodes", timeout: .seconds(5)))
        #expect(plain.status == 400)
        #expect(plain.text.contains("Client sent an HTTP request to an HTTPS server."))
    }
}

/// Names a reflector delivered, from its task.
final class DeliveredNames: Sendable {
    private let value = Mutex<[String]>([])
    func set(_ names: [String]) { value.withLock { $0 = names } }
    var names: [String] { value.withLock { $0 } }
}
