/// A lease value that cannot be read.
public struct LeaseValueError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var description: String { "lease \(field): \(reason)" }
}
