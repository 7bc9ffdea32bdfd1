/// Why an etcd operation failed, naming the key and what etcd said.
public enum RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No endpoint answered (each endpoint's error, in the order tried).
    case unreachable(operation: String, errors: [String])
    /// etcd answered with an error (HTTP status and body).
    case server(operation: String, key: String, status: Int, message: String)
    /// An atomic create lost to another writer.
    case alreadyExists(key: String)
    /// The watch asked for history etcd no longer keeps (v2 error 401 "event index cleared",
    /// v3 watch canceled with compact_revision): list again.
    case historyCompacted(requested: Int64)
    /// An answer that is not what the API documents.
    case malformed(operation: String, key: String, detail: String)
    /// Authentication was refused (wrong username or password, or no permission).
    case unauthorized(operation: String, message: String)

    public var description: String {
        switch self {
        case let .unreachable(operation, errors): "\(operation): no etcd endpoint answered: \(errors.joined(separator: "; "))"
        case let .server(operation, key, status, message): "\(operation) \(key): etcd answered HTTP \(status): \(message.prefix(512))"
        case let .alreadyExists(key): "\(key) already exists (another node leased it first)"
        case let .historyCompacted(requested): "watch from revision \(requested): etcd no longer keeps that history"
        case let .malformed(operation, key, detail): "\(operation) \(key): unexpected answer from etcd: \(detail)"
        case let .unauthorized(operation, message): "\(operation): etcd refused the credentials: \(message)"
        }
    }
}
