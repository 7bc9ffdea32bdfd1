import NIOSSL

/// The TLS side of the node port: the serving certificate, and whether client certificates are
/// asked for.
///
/// As kubelet does (Go's `tls.RequestClientCert`), a client certificate is requested but neither
/// required nor verified during the handshake: a client without one may still use a bearer token
/// or be anonymous, and a certificate from the wrong CA or out of date gets a 401 with a logged
/// reason from ``ClientCertificateAuthenticator`` instead of a handshake failure.
struct NodeTLS: Sendable {
    let context: NIOSSLContext
    let requestsClientCertificates: Bool

    /// - Throws: ``NodeServerError``, naming the file that cannot be loaded.
    init(files: ServingCertificate.Files, requestClientCertificates: Bool) throws(NodeServerError) {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw .certificateFile(path: files.certificate, reason: "\(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw .certificateFile(path: files.privateKey, reason: "\(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // Requested, verified later by the authenticator (see above).
        configuration.certificateVerification = requestClientCertificates ? .optionalVerification : .none
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tls(reason: "\(error)")
        }
        requestsClientCertificates = requestClientCertificates
    }
}
