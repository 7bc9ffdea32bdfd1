/// The API server's error object (`kind: Status`), returned with failing HTTP responses and in
/// watch `ERROR` events. Code 410 with reason `Expired`/`Gone` means "list again".
public struct Status: Sendable, Hashable, Codable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ListMeta?
    /// "Success" or "Failure".
    public var status: String?
    public var message: String?
    /// Machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Expired`, `Gone`, ...
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code this status stands for.
    public var code: Int32?

    public init(
        kind: String? = nil,
        apiVersion: String? = nil,
        metadata: ListMeta? = nil,
        status: String? = nil,
        message: String? = nil,
        reason: String? = nil,
        details: StatusDetails? = nil,
        code: Int32? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}
