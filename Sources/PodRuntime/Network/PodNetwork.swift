import DockerEngine
import IPv4

/// The Docker network pods' infra containers join when the node has a pod subnet of its own
/// (flannel's lease): a bridge network of the agent's, created through the Docker API so that
/// Docker needs no restart with flannel's `--bip`. Without one, infra containers stay on
/// Docker's default bridge, as before.
public struct PodNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The Docker network's name.
    public var name: String
    /// The node's pod subnet, e.g. `10.77.1.0/24`.
    public var subnet: String
    /// The bridge's address: the subnet's first address, as flannel's `--bip` gives Docker.
    public var gateway: String
    /// The MTU of the bridge and of the pods' interfaces (the backend's: the underlay's for
    /// host-gw, 50 less for vxlan).
    public var mtu: Int
    /// The Linux bridge device's name.
    public var bridgeName: String
    /// Whether Docker masquerades pod traffic leaving the subnet. False when the agent
    /// masquerades itself (flannel's `--ip-masq`, which gives Docker `--ip-masq=false`).
    public var dockerMasquerade: Bool

    /// The label that marks networks the agent created.
    public static let managedLabel = "io.clc-node.network"

    /// - Parameters:
    ///   - gateway: the bridge's address; the subnet's first address when nil.
    /// - Throws: ``PodNetworkError/invalidSubnet(_:reason:)`` when `subnet` is not an IPv4 CIDR
    ///   with room for a gateway and pods.
    public init(
        name: String = "clc-pods", subnet: String, gateway: String? = nil, mtu: Int = 1500, bridgeName: String = "clcpod0",
        dockerMasquerade: Bool = true
    ) throws(PodNetworkError) {
        guard subnet.contains("/"), let cidr = IPv4CIDR(subnet) else {
            throw .invalidSubnet(subnet, reason: "not an IPv4 CIDR such as 10.77.1.0/24")
        }
        guard cidr.prefixLength <= 30 else { throw .invalidSubnet(subnet, reason: "a /\(cidr.prefixLength) leaves no room for pods") }
        guard (1...15).contains(bridgeName.utf8.count) else {
            throw .invalidSubnet(subnet, reason: "bridge name \"\(bridgeName)\" must have 1 to 15 characters")
        }
        self.name = name
        self.subnet = cidr.description
        self.gateway = gateway ?? cidr.address(at: 1).description
        self.mtu = mtu
        self.bridgeName = bridgeName
        self.dockerMasquerade = dockerMasquerade
    }

    /// The options Docker gets, as flannel's Docker options (`--bip`, `--mtu`, `--ip-masq`)
    /// translate to a bridge network.
    public var options: [String: String] {
        [
            NetworkOptions.bridgeName: bridgeName,
            NetworkOptions.mtu: String(mtu),
            NetworkOptions.enableIPMasquerade: String(dockerMasquerade),
            NetworkOptions.enableICC: "true",
        ]
    }

    /// The create request for this network.
    public var createConfig: NetworkCreateConfig {
        NetworkCreateConfig(
            name: name, ipam: NetworkIPAM(config: [.init(subnet: subnet, gateway: gateway)]), options: options,
            labels: [Self.managedLabel: "true"])
    }

    public var description: String {
        "\(name) (\(subnet), gateway \(gateway), mtu \(mtu), bridge \(bridgeName), docker masquerade \(dockerMasquerade))"
    }
}

/// Why the pod network cannot be set up.
public enum PodNetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidSubnet(String, reason: String)
    /// Another network (or Docker's default bridge, when Docker was started with flannel's
    /// `--bip`) already uses the subnet.
    case subnetInUse(network: String, subnet: String, message: String)
    /// The engine refused a step.
    case docker(network: String, DockerError)
    /// The pod network is not known yet (no flannel lease); the reason says what it waits for.
    case pending(String)

    /// True while the network is not known yet, as opposed to failing.
    public var isPending: Bool { if case .pending = self { true } else { false } }

    public var description: String {
        switch self {
        case let .invalidSubnet(subnet, reason): "pod network subnet \"\(subnet)\": \(reason)"
        case let .subnetInUse(network, subnet, message):
            "pod network \(network): subnet \(subnet) is already used by another Docker network"
                + " (is Docker started with flannel's --bip? then leave the pod network to Docker's default bridge): \(message)"
        case let .docker(network, error): "pod network \(network): \(error)"
        case let .pending(reason): "network is not ready: \(reason)"
        }
    }
}
