/// A set of addresses that all expose the same ports.
public struct EndpointSubset: Sendable, Hashable, Codable {
    /// Ready addresses: the only ones the proxy sends traffic to.
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?

    public init(
        addresses: [EndpointAddress]? = nil,
        notReadyAddresses: [EndpointAddress]? = nil,
        ports: [EndpointPort]? = nil
    ) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}
