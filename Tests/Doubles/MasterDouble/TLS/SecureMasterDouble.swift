import Foundation

/// A ``MasterDouble`` served over HTTPS, as a master of today: a CA of its own signs the
/// serving certificate (for `127.0.0.1` and `localhost`), and every request needs a client
/// certificate from that CA or a bearer token of its `authPolicy` (401 otherwise; see
/// `APIHandler.refuseUnauthenticated`).
///
/// A TLS front (``TLSFront``) terminates TLS and relays to the double's plain listener on
/// loopback, telling it the verified identity first; so watches, faults and the exec and
/// port-forward relays work as over plain HTTP. Plain HTTP to the double's own port is refused
/// (400, as Go answers HTTP on a TLS port).
///
/// ```swift
/// let secure = try SecureMasterDouble()
/// try secure.start()
/// let (cert, key) = try secure.writeClientCertificate(user: "system:node:node-a", groups: ["system:nodes"])
/// // kubeconfig: server secure.url, certificate-authority secure.caFile, client-certificate cert, ...
/// ```
public final class SecureMasterDouble: Sendable {
    /// The double behind the front: objects, controllers, faults, observability.
    public let master: MasterDouble
    /// The CA that signs the serving certificate and client certificates.
    public let authority: MasterCertificateAuthority
    /// A private directory holding `ca.crt` and the client certificates written for tests.
    public let directory: String
    private let front: TLSFront

    /// - Parameters:
    ///   - master: the double to serve (not started yet, or started: `start()` starts both).
    ///   - port: the HTTPS port, 0 for an ephemeral one.
    /// - Throws: when the certificates or the front cannot be made.
    public init(master: MasterDouble? = nil, port: Int = 0) throws {
        let master = try master ?? MasterDouble()
        self.master = master
        authority = try MasterCertificateAuthority()
        directory = NSTemporaryDirectory() + "clc-master-double-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try authority.certificatePEM.write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
        let secret = UUID().uuidString
        front = try TLSFront(
            host: master.host, port: port,
            serving: try authority.servingCertificate(hostnames: ["localhost", "kubernetes"], addresses: [master.host]),
            authorityPEM: authority.certificatePEM, backendPort: master.port, secret: secret)
        master.settings.withLock { $0.frontSecret = secret }
    }

    deinit {
        front.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the double and the front (again on the same port after `stop()`).
    public func start() throws {
        try master.start()
        try front.start()
    }

    /// Stops both: connections are refused, open ones cut.
    public func stop() {
        front.stop()
        master.stop()
    }

    /// `https://<host>:<port>`.
    public var url: String { "https://\(master.host):\(front.port)" }

    /// The HTTPS port.
    public var port: Int { front.port }

    /// The CA certificate file (PEM).
    public var caFile: String { directory + "/ca.crt" }

    /// Issues a client certificate for `user` in `groups` and writes it and its key (0600) to
    /// the directory.
    ///
    /// - Returns: the certificate and key files.
    public func writeClientCertificate(user: String, groups: [String] = []) throws -> (certificate: String, key: String) {
        let pair = try authority.clientCertificate(user: user, groups: groups)
        let base = directory + "/" + user.replacingOccurrences(of: ":", with: "_")
        try pair.certificatePEM.write(toFile: base + ".crt", atomically: true, encoding: .utf8)
        FileManager.default.createFile(
            atPath: base + ".key", contents: Data(pair.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600])
        return (base + ".crt", base + ".key")
    }
}
