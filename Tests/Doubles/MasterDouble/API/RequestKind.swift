/// A verb on a resource, for counting requests.
public struct RequestKind: Sendable, Hashable, CustomStringConvertible {
    public var verb: String
    public var resource: String

    public init(verb: String, resource: String) {
        self.verb = verb
        self.resource = resource
    }

    public var description: String { "\(verb) \(resource)" }
}
