/// Every lease under `<prefix>/subnets/` as a list and the watch events after it describe it.
public struct LeaseSnapshot: Sendable, Hashable {
    public private(set) var leases: [IPv4Subnet: SubnetLease]
    /// The revision the snapshot is as of; a watch resumes at `revision + 1`.
    public private(set) var revision: Int64

    public init(_ listing: LeaseListing) {
        leases = Dictionary(listing.leases.map { ($0.subnet, $0) }, uniquingKeysWith: { _, last in last })
        revision = listing.revision
    }

    /// Applies a watch batch. - Returns: whether the set of leases or their values changed.
    @discardableResult
    public mutating func apply(_ events: [LeaseEvent]) -> Bool {
        var changed = false
        for event in events {
            revision = max(revision, event.revision)
            switch event {
            case let .put(lease, _):
                let old = leases.updateValue(lease, forKey: lease.subnet)
                // A renewal only moves the expiration; consumers route by subnet and attributes.
                if old?.attributes != lease.attributes || old == nil { changed = true }
            case let .removed(subnet, _):
                if leases.removeValue(forKey: subnet) != nil { changed = true }
            }
        }
        return changed
    }

    /// The leases sorted by subnet.
    public var sorted: [SubnetLease] { leases.values.sorted { $0.subnet < $1.subnet } }
}
