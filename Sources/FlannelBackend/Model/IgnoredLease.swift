import RouteNetlink

/// A remote lease a backend cannot route, and why: logged once by the executor.
public struct IgnoredLease: Sendable, Hashable, CustomStringConvertible {
    public var subnet: IPv4Network
    public var reason: String

    public init(subnet: IPv4Network, reason: String) {
        self.subnet = subnet
        self.reason = reason
    }

    public var description: String { "lease \(subnet): \(reason)" }
}
