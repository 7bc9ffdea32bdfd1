/// What one sync of the proxy rules did, in kube-proxy's terms. The raw values are those of
/// ServiceProxy's `RulesetSync.Kind`, so `ProxySyncKind(rawValue: kind.rawValue)` converts
/// without this module importing that one.
public enum ProxySyncKind: String, Sendable, Hashable, CaseIterable {
    /// The whole table was replaced (the first sync, and the first after a failure).
    case full
    /// Only the difference from the last applied ruleset was sent.
    case partial
    /// The desired ruleset equalled the applied one: nothing was sent.
    case unchanged
}
