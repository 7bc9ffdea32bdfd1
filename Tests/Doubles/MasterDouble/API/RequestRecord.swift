import Foundation

/// One request the double received.
public struct RequestRecord: Sendable, Hashable {
    /// HTTP method: GET, POST, PUT, PATCH, DELETE.
    public var method: String
    /// Path and query as sent.
    public var path: String
    /// The API verb, as Kubernetes' audit log and metrics name it: `get`, `list`, `watch`,
    /// `create`, `update`, `patch`, `delete`; `other` for discovery and health checks.
    public var verb: String
    /// `pods`, `pods/status`, `nodes/status`, `leases`, ...; empty for non-resource paths.
    public var resource: String
    /// The HTTP status answered (200 for a watch that started streaming).
    public var status: Int
    public var time: Date
}
