/// Why the node server cannot start; each case names the file or address.
public enum NodeServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A certificate or key file cannot be read or parsed.
    case certificateFile(path: String, reason: String)
    /// The serving certificate cannot be generated or written.
    case certificateGeneration(directory: String, reason: String)
    /// The TLS context cannot be built from the certificate and key.
    case tls(reason: String)
    /// A listener cannot bind its address (and no retry is configured).
    case listen(address: String, reason: String)

    public var description: String {
        switch self {
        case .certificateFile(let path, let reason): "certificate file \(path): \(reason)"
        case .certificateGeneration(let directory, let reason): "cannot make the serving certificate in \(directory): \(reason)"
        case .tls(let reason): "cannot set up TLS: \(reason)"
        case .listen(let address, let reason): "cannot listen on \(address): \(reason)"
        }
    }
}
