/// A NodeCondition's status, reason and message.
public struct NetworkCondition: Sendable, Hashable {
    public var unavailable: Bool
    public var reason: String
    public var message: String
}
