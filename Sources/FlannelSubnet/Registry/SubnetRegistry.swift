import Foundation

// The etcd clients are written here over CurlHTTP: no etcd client is among the Swift packages
// this project may use, the agent already speaks HTTP through libcurl, and flannel needs only
// a dozen calls of each API (v2 keys, v3 JSON gateway).

/// The etcd operations flannel's lease needs (flannel's `Registry`), whichever etcd API serves
/// them. Keys are `<prefix>/config` and `<prefix>/subnets/<a.b.c.d-len>`.
public protocol SubnetRegistry: Sendable {
    /// Which etcd API this registry speaks.
    var api: EtcdAPI { get }
    /// The raw value of `<prefix>/config`; nil when the key does not exist.
    func networkConfig() async throws(RegistryError) -> [UInt8]?
    /// Every readable lease and the revision (v3) or index (v2) the listing is as of; a watch
    /// from `revision + 1` misses nothing. Unreadable keys are skipped and reported in `skipped`.
    func leases() async throws(RegistryError) -> LeaseListing
    /// One lease, nil when absent.
    func lease(_ subnet: IPv4Subnet) async throws(RegistryError) -> SubnetLease?
    /// Creates the lease only when its key does not exist (v2 `prevExist=false`, v3 a
    /// transaction on version 0), with `ttl`.
    /// - Returns: the expiration.
    /// - Throws: ``RegistryError/alreadyExists(key:)`` when another node was first.
    func createLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date
    /// Writes the lease whatever is there (renewal), with `ttl`; a zero ttl writes it without one.
    /// - Returns: the expiration (nil without TTL).
    func updateLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date?
    func deleteLease(_ subnet: IPv4Subnet) async throws(RegistryError)
    /// Changes to `<prefix>/subnets/` from `revision` on, in batches. The stream ends with
    /// ``RegistryError/historyCompacted(requested:)`` when etcd no longer has that history (the
    /// caller lists again), or another error when the connection breaks (the caller resumes).
    func watchLeases(from revision: Int64) -> AsyncThrowingStream<[LeaseEvent], any Error>
}

/// The two etcd APIs flannel has used: the v2 keys API of the 2015 hosts, and v3.
public enum EtcdAPI: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case v2, v3
    public var description: String { "etcd \(rawValue) API" }
}

/// The leases under `<prefix>/subnets/` at one revision.
public struct LeaseListing: Sendable, Hashable {
    public var leases: [SubnetLease]
    public var revision: Int64
    /// Keys under the prefix that are not readable leases, with why.
    public var skipped: [String]

    public init(leases: [SubnetLease], revision: Int64, skipped: [String] = []) {
        self.leases = leases
        self.revision = revision
        self.skipped = skipped
    }
}

/// One change to a lease key seen by a watch.
public enum LeaseEvent: Sendable, Hashable {
    /// Created or renewed (v2 create/set/update/compareAndSwap, v3 PUT).
    case put(SubnetLease, revision: Int64)
    /// Deleted or expired (v2 delete/expire/compareAndDelete, v3 DELETE).
    case removed(IPv4Subnet, revision: Int64)

    public var revision: Int64 {
        switch self {
        case let .put(_, revision), let .removed(_, revision): revision
        }
    }
}
