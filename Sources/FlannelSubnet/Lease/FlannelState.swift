/// What the lease service publishes: where it stands, our lease and the other nodes' leases.
/// Each value is a complete snapshot.
public struct FlannelState: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        /// The service has not looked at etcd yet.
        case starting
        /// `<prefix>/config` does not exist (yet); the message says where it was looked for.
        case waitingForConfig(String)
        /// `<prefix>/config` exists but cannot be used; the message names the field.
        case configInvalid(String)
        /// Config read; acquiring (or taking back) the lease.
        case acquiring
        /// Acquiring failed (etcd unreachable, out of subnets); retried every minute.
        case acquireFailed(String)
        /// The lease is held.
        case leased
    }

    public var phase: Phase
    /// The API the config was found under.
    public var api: EtcdAPI?
    public var config: NetworkConfig?
    /// Our lease; kept while it is taken back after a loss, so the data path stays up.
    public var lease: SubnetLease?
    /// MTU the backend decided (FLANNEL_MTU).
    public var mtu: Int?
    /// Every other node's lease, by subnet.
    public var remoteLeases: [SubnetLease]

    public init(phase: Phase, api: EtcdAPI? = nil, config: NetworkConfig? = nil, lease: SubnetLease? = nil, mtu: Int? = nil, remoteLeases: [SubnetLease] = []) {
        self.phase = phase
        self.api = api
        self.config = config
        self.lease = lease
        self.mtu = mtu
        self.remoteLeases = remoteLeases
    }

    /// The lease-side of the Node's `NetworkUnavailable` condition: True until the lease is
    /// held. The agent also waits for its pod network before reporting False.
    public var networkUnavailable: NetworkCondition {
        switch phase {
        case .starting: NetworkCondition(unavailable: true, reason: "NoFlannelLease", message: "the flannel lease service has not started")
        case let .waitingForConfig(message): NetworkCondition(unavailable: true, reason: "FlannelConfigMissing", message: message)
        case let .configInvalid(message): NetworkCondition(unavailable: true, reason: "FlannelConfigInvalid", message: message)
        case .acquiring: NetworkCondition(unavailable: true, reason: "NoFlannelLease", message: "acquiring a flannel subnet lease")
        case let .acquireFailed(message): NetworkCondition(unavailable: true, reason: "NoFlannelLease", message: message)
        case .leased:
            NetworkCondition(
                unavailable: false, reason: "FlannelIsUp",
                message: "flannel subnet \(lease.map { "\($0.subnet)" } ?? "?") of \(config.map { "\($0.network)" } ?? "?") leased")
        }
    }
}
