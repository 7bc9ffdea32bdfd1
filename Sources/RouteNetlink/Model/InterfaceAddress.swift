/// An IPv4 address on a link (`ip -4 addr`).
public struct InterfaceAddress: Sendable, Hashable {
    public var network: IPv4Network
    public var linkIndex: Int32

    public init(network: IPv4Network, linkIndex: Int32) {
        self.network = network
        self.linkIndex = linkIndex
    }
}
