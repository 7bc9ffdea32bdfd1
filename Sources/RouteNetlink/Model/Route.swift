import IPv4

/// A unicast IPv4 route (`ip route`): the entries the backends program into the main table.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// The routing protocol number clc-node writes on its routes (rtm_protocol), so that a later
    /// run finds them among the routes others made: `ip route` prints it as `proto 151`.
    /// Unassigned in iproute2's rt_protos.
    public static let clcNodeProtocol: UInt8 = 151
    /// RT_TABLE_MAIN.
    public static let mainTable: UInt32 = 254

    public var destination: IPv4Network
    public var gateway: IPv4Address?
    public var linkIndex: Int32
    /// RTNH_F_ONLINK: the gateway is on the link even though no address of it covers it.
    public var onLink: Bool
    /// rtm_protocol: who made the route (see `clcNodeProtocol`).
    public var protocolNumber: UInt8
    public var table: UInt32

    public init(
        destination: IPv4Network, gateway: IPv4Address?, linkIndex: Int32, onLink: Bool = false,
        protocolNumber: UInt8 = Route.clcNodeProtocol, table: UInt32 = Route.mainTable
    ) {
        self.destination = destination
        self.gateway = gateway
        self.linkIndex = linkIndex
        self.onLink = onLink
        self.protocolNumber = protocolNumber
        self.table = table
    }

    /// As `ip route` prints it, with the link by index.
    public var description: String {
        var text = "\(destination)"
        if let gateway { text += " via \(gateway)" }
        text += " dev #\(linkIndex) proto \(protocolNumber)"
        if onLink { text += " onlink" }
        return text
    }
}
