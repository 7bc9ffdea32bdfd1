import Foundation
import Testing

@testable import MasterClient

@Suite("Kubeconfig credentials written private and whole")
struct CredentialFileTests {
    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func kubeconfig(key: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: main
          cluster: {server: "https://master:6443"}
        users:
        - name: kubelet
          user: {client-key-data: \(Data(key.utf8).base64EncodedString())}
        contexts:
        - name: node
          context: {cluster: main, user: kubelet}
        current-context: node
        """
    }

    @Test("an inline client key lands 0600 in a 0700 directory, even one that existed world-readable, and nothing else is left")
    func privateModes() throws {
        let directory = NSTemporaryDirectory() + "kubeconfig-\(UUID().uuidString.prefix(8))"
        let credentials = directory + "/state/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try kubeconfig(key: "KEY ONE").write(toFile: directory + "/kubeconfig", atomically: true, encoding: .utf8)
        let umask = Glibc.umask(0)
        defer { Glibc.umask(umask) }
        let config = try Kubeconfig.load(path: directory + "/kubeconfig", credentialsDirectory: credentials)
        let key = try #require(config.clientKey)
        #expect(key == credentials + "/client.key")
        #expect(try mode(key) == 0o600)
        #expect(try mode(credentials) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: credentials) == ["client.key"])
    }

    @Test("a new directory is created 0700, and a rewrite replaces a planted link instead of writing through it")
    func replacesLink() throws {
        let directory = NSTemporaryDirectory() + "kubeconfig-\(UUID().uuidString.prefix(8))"
        let credentials = directory + "/credentials"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try kubeconfig(key: "KEY ONE").write(toFile: directory + "/kubeconfig", atomically: true, encoding: .utf8)
        _ = try Kubeconfig.load(path: directory + "/kubeconfig", credentialsDirectory: credentials)
        #expect(try mode(credentials) == 0o700)

        try "victim".write(toFile: directory + "/victim", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: credentials + "/client.key")
        try FileManager.default.createSymbolicLink(atPath: credentials + "/client.key", withDestinationPath: directory + "/victim")
        try kubeconfig(key: "KEY TWO").write(toFile: directory + "/kubeconfig", atomically: true, encoding: .utf8)
        _ = try Kubeconfig.load(path: directory + "/kubeconfig", credentialsDirectory: credentials)
        #expect(try String(contentsOfFile: directory + "/victim", encoding: .utf8) == "victim")
        #expect(try String(contentsOfFile: credentials + "/client.key", encoding: .utf8) == "KEY TWO")
        #expect(try mode(credentials + "/client.key") == 0o600)
    }
}
