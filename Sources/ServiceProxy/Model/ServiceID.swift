/// A service's identity: namespace and name.
public struct ServiceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: ServiceID, rhs: ServiceID) -> Bool { (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name) }
}

extension ProxiedService {
    public var id: ServiceID { ServiceID(namespace: namespace, name: name) }
}
