/// What acquiring a lease will do, decided from the listing alone (flannel's tryAcquireLease).
public struct LeasePlan: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// Our PublicIP already holds this lease: write it again (renewing its TTL, or keeping
        /// it without one when it is a reservation).
        case reuse(SubnetLease)
        /// Create this subnet's lease atomically.
        case create(IPv4Subnet, origin: Origin)
    }

    /// Where a new lease's subnet came from, for the log.
    public enum Origin: Sendable, Hashable {
        /// The subnet of the previous run (the subnet file) or of the lease that disappeared.
        case previous
        /// Picked at random among the free subnets.
        case random
    }

    /// A lease with our PublicIP that no longer fits the config: deleted first.
    public var deleteIncompatible: SubnetLease?
    public var action: Action
    /// A previous subnet that was not usable, and why (logged).
    public var previousIgnored: String?
}
