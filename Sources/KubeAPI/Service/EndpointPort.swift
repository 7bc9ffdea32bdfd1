/// One port of an endpoint subset; `name` matches the service port's name.
public struct EndpointPort: Sendable, Hashable, Codable {
    public var name: String?
    public var port: Int32
    public var `protocol`: String?

    public init(name: String? = nil, port: Int32, `protocol`: String? = nil) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
    }
}
