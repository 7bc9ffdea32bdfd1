/// The Docker network an infra container was created on, as its labels record it: the sandbox
/// of a pod is recreated when it differs from the network pods join now, as kubelet recreates
/// a sandbox whose network changed.
public struct SandboxNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network's name; `bridge` for Docker's default bridge.
    public var name: String
    /// The network's ID, which changes when the network is recreated (a new subnet, MTU or
    /// bridge); nil on the default bridge.
    public var id: String?

    public init(name: String, id: String?) {
        self.name = name
        self.id = id
    }

    /// Docker's default bridge: what infra containers use when no pod network is configured,
    /// and what containers created before pod networks existed (without the labels) were on.
    public static let defaultBridge = SandboxNetwork(name: "bridge", id: nil)

    public var isDefaultBridge: Bool { self == .defaultBridge }

    /// The node's own network namespace, for `hostNetwork` pods: their IP is the node's.
    public static let host = SandboxNetwork(name: "host", id: nil)

    public var isHost: Bool { self == .host }

    public var description: String { id.map { "\(name) (\($0.prefix(12)))" } ?? name }
}
