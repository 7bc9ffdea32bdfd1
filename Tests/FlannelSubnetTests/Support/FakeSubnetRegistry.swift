@testable import FlannelSubnet
import Foundation
import Synchronization

/// An in-memory registry with etcd's semantics that matter here (atomic create, TTL expiry on
/// the injected clock, a revision per write, watchers), recording every call.
final class FakeSubnetRegistry: SubnetRegistry {
    struct Stored {
        var lease: SubnetLease
        var ttl: Duration
    }

    private struct State {
        var config: [UInt8]?
        var leases: [IPv4Subnet: Stored] = [:]
        var revision: Int64 = 1
        var calls: [String] = []
        var failing = false
        var watchers: [Int: AsyncThrowingStream<[LeaseEvent], any Error>.Continuation] = [:]
        var nextWatcher = 0
        /// Events by revision, for watches that start in the past.
        var history: [LeaseEvent] = []
        var compactedThrough: Int64 = 0
    }

    let api: EtcdAPI
    let clock: any LeaseClock
    private let state: Mutex<State>

    init(api: EtcdAPI = .v3, config: String? = nil, clock: any LeaseClock) {
        self.api = api
        self.clock = clock
        state = Mutex(State(config: config.map { Array($0.utf8) }))
    }

    var calls: [String] { state.withLock { $0.calls } }
    var stored: [IPv4Subnet: Stored] { state.withLock { $0.leases } }

    /// Every call fails as if etcd were unreachable while true.
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func setConfig(_ text: String?) { state.withLock { $0.config = text.map { Array($0.utf8) } } }

    /// Another writer's change.
    func put(_ lease: SubnetLease) { write(.put(lease, revision: 0), ttl: .seconds(86400)) }
    func remove(_ subnet: IPv4Subnet) { write(.removed(subnet, revision: 0), ttl: .zero) }

    /// Drops leases whose TTL has passed, as etcd does, and tells the watchers.
    func expire() {
        let now = clock.now
        let expired = state.withLock { $0.leases.values.filter { ($0.lease.expiration ?? .distantFuture) <= now }.map(\.lease.subnet) }
        for subnet in expired { remove(subnet) }
    }

    /// Forgets history up to now: watches from older revisions fail with historyCompacted.
    func compact() { state.withLock { $0.compactedThrough = $0.revision } }

    private func write(_ event: LeaseEvent, ttl: Duration) {
        let watchers = state.withLock { state -> ([AsyncThrowingStream<[LeaseEvent], any Error>.Continuation], LeaseEvent) in
            state.revision += 1
            let stamped: LeaseEvent
            switch event {
            case let .put(lease, _):
                state.leases[lease.subnet] = Stored(lease: lease, ttl: ttl)
                stamped = .put(lease, revision: state.revision)
            case let .removed(subnet, _):
                state.leases.removeValue(forKey: subnet)
                stamped = .removed(subnet, revision: state.revision)
            }
            state.history.append(stamped)
            return (Array(state.watchers.values), stamped)
        }
        for watcher in watchers.0 { watcher.yield([watchers.1]) }
    }

    private func record(_ call: String) throws(RegistryError) {
        let failing = state.withLock { state -> Bool in
            state.calls.append(call)
            return state.failing
        }
        if failing { throw .unreachable(operation: call, errors: ["fake etcd is down"]) }
    }

    func networkConfig() async throws(RegistryError) -> [UInt8]? {
        try record("config")
        return state.withLock { $0.config }
    }

    func leases() async throws(RegistryError) -> LeaseListing {
        try record("list")
        return state.withLock { LeaseListing(leases: $0.leases.values.map(\.lease), revision: $0.revision) }
    }

    func lease(_ subnet: IPv4Subnet) async throws(RegistryError) -> SubnetLease? {
        try record("get \(subnet)")
        return state.withLock { $0.leases[subnet]?.lease }
    }

    func createLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date {
        try record("create \(subnet)")
        let expiration = clock.now.addingTimeInterval(ttl.seconds)
        let exists = state.withLock { $0.leases[subnet] != nil }
        if exists { throw .alreadyExists(key: subnet.leaseKeyName) }
        write(.put(SubnetLease(subnet: subnet, attributes: attributes, expiration: expiration), revision: 0), ttl: ttl)
        return expiration
    }

    func updateLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date? {
        try record("update \(subnet)")
        let expiration = ttl > .zero ? clock.now.addingTimeInterval(ttl.seconds) : nil
        write(.put(SubnetLease(subnet: subnet, attributes: attributes, expiration: expiration, hasTTL: ttl > .zero), revision: 0), ttl: ttl)
        return expiration
    }

    func deleteLease(_ subnet: IPv4Subnet) async throws(RegistryError) {
        try record("delete \(subnet)")
        remove(subnet)
    }

    func watchLeases(from revision: Int64) -> AsyncThrowingStream<[LeaseEvent], any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [LeaseEvent].self)
        let failing = state.withLock { state -> Bool in
            state.calls.append("watch \(revision)")
            if state.failing { return true }
            if revision <= state.compactedThrough {
                continuation.finish(throwing: RegistryError.historyCompacted(requested: revision))
                return false
            }
            let past = state.history.filter { $0.revision >= revision }
            if !past.isEmpty { continuation.yield(past) }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) } }
            return false
        }
        if failing { continuation.finish(throwing: RegistryError.unreachable(operation: "watch", errors: ["fake etcd is down"])) }
        return stream
    }
}
