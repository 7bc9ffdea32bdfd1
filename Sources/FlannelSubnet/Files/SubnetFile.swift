import Foundation

/// flanneld's `/run/flannel/subnet.env`, which Docker's and CNI's setups source:
///
///     FLANNEL_NETWORK=10.1.0.0/16
///     FLANNEL_SUBNET=10.1.15.1/24
///     FLANNEL_MTU=1450
///     FLANNEL_IPMASQ=true
public struct SubnetFile: Sendable, Hashable {
    public var network: IPv4Subnet
    /// The leased subnet (the file holds its first address: `10.1.15.1/24`).
    public var subnet: IPv4Subnet
    public var mtu: Int
    public var ipMasq: Bool

    public init(network: IPv4Subnet, subnet: IPv4Subnet, mtu: Int, ipMasq: Bool) {
        self.network = network
        self.subnet = subnet
        self.mtu = mtu
        self.ipMasq = ipMasq
    }

    /// The file's text, byte for byte as flanneld's WriteSubnetFile writes it.
    public var contents: String {
        "FLANNEL_NETWORK=\(network)\nFLANNEL_SUBNET=\(subnet.gateway)/\(subnet.prefixLength)\nFLANNEL_MTU=\(mtu)\nFLANNEL_IPMASQ=\(ipMasq)\n"
    }

    /// The subnet of `FLANNEL_SUBNET` in an existing file (flannel's ReadCIDRFromSubnetFile):
    /// what the previous run leased. Nil when the file or the line is missing or unreadable.
    public static func previousSubnet(inFileAt path: String) -> IPv4Subnet? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return previousSubnet(in: text)
    }

    static func previousSubnet(in text: String) -> IPv4Subnet? {
        for line in text.split(whereSeparator: \.isNewline) {
            var line = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("export ") { line.removeFirst("export ".count) }
            guard line.hasPrefix("FLANNEL_SUBNET=") else { continue }
            var value = line.dropFirst("FLANNEL_SUBNET=".count)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            return IPv4Subnet(requiringPrefix: value)
        }
        return nil
    }
}
