/// A service's status (load balancer ingress). A node agent has no use for it: it decodes from
/// anything and keeps nothing, so that a server's status never breaks decoding.
public struct ServiceStatus: Sendable, Hashable, Codable {
    public init() {}

    public init(from decoder: any Decoder) throws {}

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: EmptyKeys.self)
    }

    private enum EmptyKeys: CodingKey {}
}
