/// Compute resources of a container, keyed by resource name ("cpu", "memory", ...).
///
/// Quantities are kept as written; parse them with `Quantity.milliValue()` / `value()` so that a
/// bad one can be reported with its field path (validation does this).
public struct ResourceRequirements: Sendable, Hashable, Codable {
    public var limits: [String: Quantity]?
    /// Defaulting copies each limit that has no request.
    public var requests: [String: Quantity]?

    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}
