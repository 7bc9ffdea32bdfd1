/// Options of a DELETE (query parameters or a `DeleteOptions` body).
struct DeleteOptions: Sendable, Hashable {
    var gracePeriodSeconds: Int64?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    /// `Orphan`, `Background` or `Foreground`; nil takes the resource's default.
    var propagationPolicy: String?
}
