import Testing

@testable import ServiceProxy
import IPv4

@Suite("planning transactions")
struct TransactionTests {
    private let master = Fixtures.redisMaster(endpoints: 3)
    private var port: ProxiedService.Port { master.ports[0] }

    private func endpoint(_ last: UInt8) -> ProxiedService.Endpoint {
        .init(ip: IPv4Address(10, 244, 1, last), port: 6379)
    }

    @Test("a full sync recreates the table, then sets, chains, elements and rules in that order")
    func fullSyncOrder() {
        let ruleset = Fixtures.ruleset(master)
        let operations = Transaction.fullSync(ruleset).operations
        #expect(Array(operations.prefix(3)) == [.addTable, .deleteTable, .addTable])
        func firstIndex(_ match: (Transaction.Operation) -> Bool) -> Int { operations.firstIndex(where: match)! }
        func lastIndex(_ match: (Transaction.Operation) -> Bool) -> Int { operations.lastIndex(where: match)! }
        let isSet = { (o: Transaction.Operation) in if case .addSet = o { true } else { false } }
        let isChain = { (o: Transaction.Operation) in if case .addChain = o { true } else { false } }
        let isElements = { (o: Transaction.Operation) in if case .addElements = o { true } else { false } }
        let isRule = { (o: Transaction.Operation) in if case .addRule = o { true } else { false } }
        #expect(lastIndex(isSet) < firstIndex(isChain))
        #expect(lastIndex(isChain) < firstIndex(isElements))
        #expect(lastIndex(isElements) < firstIndex(isRule))
        #expect(operations.filter(isRule).count == ruleset.chains.values.reduce(0) { $0 + $1.rules.count })
    }

    @Test("nothing changed plans nothing")
    func unchanged() throws {
        let ruleset = Fixtures.ruleset(master, Fixtures.frontend)
        #expect(try #require(Transaction.incremental(from: ruleset, to: ruleset)).isEmpty)
    }

    @Test("an endpoint added creates its chain and rewrites only its service's chain")
    func endpointAdded() throws {
        let before = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 2), Fixtures.frontend)
        let after = Fixtures.ruleset(master, Fixtures.frontend)
        let added = ProxyNames.endpointChain(master, port, endpoint(4))
        let service = ProxyNames.serviceChain(master, port)
        let plan = try #require(Transaction.incremental(from: before, to: after))
        #expect(
            plan.operations
                == [.addChain(Chain(added)), .flushChain(service)]
                + after.chains[added]!.rules.map { .addRule(chain: added, $0) }
                + after.chains[service]!.rules.map { .addRule(chain: service, $0) })
    }

    @Test("a service removed loses its map elements first, then its flushed chains")
    func serviceRemoved() throws {
        let frontend = Fixtures.frontend
        let before = Fixtures.ruleset(master, frontend)
        let after = Fixtures.ruleset(master)
        let frontendPort = frontend.ports[0]
        let chains = [
            ProxyNames.endpointChain(frontend, frontendPort, frontend.endpoints[""]![0]),
            ProxyNames.externalChain(frontend, frontendPort), ProxyNames.serviceChain(frontend, frontendPort),
        ]
        let plan = try #require(Transaction.incremental(from: before, to: after))
        #expect(
            plan.operations
                == chains.map { .flushChain($0) } + [
                    .deleteElements(set: ProxyNames.serviceIPs, [SetKey(.address(frontend.clusterIP), .proto(.tcp), .port(80))]),
                    .deleteElements(set: ProxyNames.serviceNodePorts, [SetKey(.proto(.tcp), .port(30001))]),
                ] + chains.map { .deleteChain($0) })
    }

    @Test("a service losing its endpoints moves from service-ips to no-endpoint-services")
    func endpointsGone() throws {
        let before = Fixtures.ruleset(Fixtures.frontend)
        let after = Fixtures.ruleset(Fixtures.frontendWithoutEndpoints)
        let plan = try #require(Transaction.incremental(from: before, to: after))
        let reject: Verdict? = .goto(ProxyNames.rejectChain)
        #expect(plan.operations.contains(.addElements(set: ProxyNames.noEndpointServices, [SetKey(.address(Fixtures.ip("10.254.0.30")), .proto(.tcp), .port(80)): reject])))
        #expect(plan.operations.contains(.addElements(set: ProxyNames.noEndpointNodePorts, [SetKey(.proto(.tcp), .port(30001)): reject])))
        #expect(!plan.operations.contains { if case .addRule = $0 { true } else { false } })
    }

    @Test("a changed affinity timeout re-creates the sets and rewrites the chains that use them")
    func affinityTimeoutChanged() throws {
        let before = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 1, affinity: .clientIP(timeoutSeconds: 10800)))
        let after = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 1, affinity: .clientIP(timeoutSeconds: 60)))
        let set = ProxyNames.affinitySet(master, port, endpoint(2))
        let endpointChain = ProxyNames.endpointChain(master, port, endpoint(2))
        let serviceChain = ProxyNames.serviceChain(master, port)
        let plan = try #require(Transaction.incremental(from: before, to: after))
        #expect(
            Array(plan.operations.prefix(4)) == [
                .flushChain(endpointChain), .flushChain(serviceChain), .deleteSet(set), .addSet(after.sets[set]!),
            ])
        #expect(plan.operations.count == 4 + after.chains[endpointChain]!.rules.count + after.chains[serviceChain]!.rules.count)
    }

    @Test("a base chain with another priority needs a full sync")
    func baseChainChanged() {
        let before = Fixtures.ruleset(master)
        var after = before
        after.chains["nat-prerouting"]?.base?.priority = -90
        #expect(Transaction.incremental(from: before, to: after) == nil)
    }
}

/// Records transactions instead of applying them; fails when told to.
final class RecordingWriter: RulesetWriter, @unchecked Sendable {
    // Only touched from the test's own task, one call at a time.
    /// Every batch, whole.
    var batches: [[Transaction]] = []
    var failure: NetfilterError?

    /// The transactions on `clc-proxy`, the one table while services are few; the deletions
    /// of shard tables a full sync adds are left out.
    var applied: [Transaction] { batches.flatMap { $0.filter { $0.table == ProxyNames.table } } }

    func apply(_ transactions: [Transaction]) throws(NetfilterError) {
        if let failure { throw failure }
        batches.append(transactions)
    }
}

@Suite("keeping the table in sync")
struct RulesetSyncTests {
    @Test("the first sync is full, a change is partial, no change sends nothing")
    func fullThenPartial() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        let first = Fixtures.state(Fixtures.redisMaster(endpoints: 1))
        let second = Fixtures.state(Fixtures.redisMaster(endpoints: 2))
        #expect(try sync.sync(to: first, with: writer) == .full)
        #expect(try sync.sync(to: second, with: writer) == .partial)
        #expect(try sync.sync(to: second, with: writer) == .unchanged)
        let (firstRuleset, secondRuleset) = (Ruleset.services(for: first), Ruleset.services(for: second))
        #expect(writer.applied == [.fullSync(firstRuleset), Transaction.incremental(from: firstRuleset, to: secondRuleset)!])
    }

    @Test("a partial sync sends what diffing the whole rulesets would send, touching only the services that changed")
    func partialMatchesWholeDiff() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        let first = Fixtures.state(
            Fixtures.redisMaster(endpoints: 2, affinity: .clientIP(timeoutSeconds: 10800)), Fixtures.frontend, Fixtures.dns)
        let second = Fixtures.state(
            Fixtures.redisMaster(endpoints: 1, affinity: .clientIP(timeoutSeconds: 600)), Fixtures.frontendWithoutEndpoints,
            Fixtures.redisSlaveNamedPort, Fixtures.dns)
        try sync.sync(to: first, with: writer)
        #expect(try sync.sync(to: second, with: writer) == .partial)
        let whole = try #require(Transaction.incremental(from: Ruleset.services(for: first), to: Ruleset.services(for: second)))
        #expect(writer.applied.last == whole)
        #expect(!writer.applied.last!.operations.map(\.description).joined().contains("kube-system/dns"))
        #expect(sync.appliedRuleset == Ruleset.services(for: second))
    }

    @Test("a service changed in place among many sends only its difference, as the whole diff would")
    func changedInPlace() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        var state = Fixtures.state(Fixtures.redisMaster(endpoints: 2), Fixtures.frontend, Fixtures.dns, Fixtures.redisSlaveNamedPort)
        let before = state
        try sync.sync(to: state, with: writer)
        state.services[0] = Fixtures.redisMaster(endpoints: 3)
        #expect(try sync.sync(to: state, with: writer) == .partial)
        #expect(writer.applied.last == Transaction.incremental(from: Ruleset.services(for: before), to: Ruleset.services(for: state)))
        #expect(sync.appliedRuleset == Ruleset.services(for: state))
        #expect(try sync.sync(to: state, with: writer) == .unchanged)
    }

    @Test("a service changed in place to claim another's NodePort loses it, and gets it once the other lets go")
    func changedInPlaceIntoConflict() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        var web = Fixtures.frontend
        web.name = "web"
        web.clusterIP = IPv4Address("10.254.0.31")!
        web.ports[0].nodePort = 30002
        var state = Fixtures.state(Fixtures.frontend, web)
        try sync.sync(to: state, with: writer)
        state.services[1].ports[0].nodePort = 30001
        #expect(try sync.sync(to: state, with: writer) == .partial)
        #expect(sync.conflicts.map(\.service.name) == ["web"])
        #expect(sync.appliedRuleset == Ruleset.services(for: state))
        state.services[0].ports[0].nodePort = 30003
        try sync.sync(to: state, with: writer)
        #expect(sync.conflicts.isEmpty)
        let nodePorts = try #require(sync.appliedRuleset?.sets[ProxyNames.serviceNodePorts]?.elements.keys)
        #expect(Set(nodePorts) == [SetKey(.proto(.tcp), .port(30001)), SetKey(.proto(.tcp), .port(30003))])
    }

    @Test("new node settings replace the whole table")
    func nodeSettingsChangeIsFull() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        var state = Fixtures.state(Fixtures.frontend)
        try sync.sync(to: state, with: writer)
        state.node.masqueradeAll = true
        #expect(try sync.sync(to: state, with: writer) == .full)
    }

    @Test("after a failed sync the next one is full again")
    func fullAfterFailure() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        let first = Fixtures.state(Fixtures.redisMaster(endpoints: 1))
        let second = Fixtures.state(Fixtures.redisMaster(endpoints: 2))
        try sync.sync(to: first, with: writer)
        writer.failure = .commitFailed(errno: 12)
        #expect(throws: NetfilterError.commitFailed(errno: 12)) { try sync.sync(to: second, with: writer) }
        #expect(sync.appliedRuleset == nil)
        writer.failure = nil
        #expect(try sync.sync(to: second, with: writer) == .full)
    }

    @Test("a NodePort claimed by two services stays with the one that sorts first, and the other is named")
    func nodePortConflict() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        var copy = Fixtures.frontend
        copy.name = "zz-frontend-copy"
        copy.clusterIP = IPv4Address("10.254.0.99")!
        try sync.sync(to: Fixtures.state(Fixtures.frontend, copy), with: writer)
        #expect(sync.conflicts.map(\.description) == [
            "service default/zz-frontend-copy: spec.ports[0].nodePort 30001/tcp is already used by service default/frontend; the port is not programmed"
        ])
        let nodePorts = try #require(sync.appliedRuleset?.sets[ProxyNames.serviceNodePorts]?.elements)
        #expect(nodePorts == [SetKey(.proto(.tcp), .port(30001)): .goto(ProxyNames.externalChain(Fixtures.frontend, Fixtures.frontend.ports[0]))])
        // The copy still has its cluster IP.
        #expect(sync.appliedRuleset?.sets[ProxyNames.serviceIPs]?.elements.count == 2)
    }

    @Test("changes given by service send what the whole state with those changes would send, and nothing else is compared")
    func changesBySendTheWholeDiff() throws {
        let (byChanges, byState) = (RecordingWriter(), RecordingWriter())
        var (keyed, whole) = (RulesetSync(), RulesetSync())
        let first = Fixtures.state(Fixtures.redisMaster(endpoints: 2), Fixtures.frontend, Fixtures.dns)
        try keyed.sync(to: first, with: byChanges)
        try whole.sync(to: first, with: byState)
        // The redis master gains an endpoint, the frontend goes, the slave arrives.
        let second = Fixtures.state(Fixtures.redisMaster(endpoints: 3), Fixtures.dns, Fixtures.redisSlaveNamedPort)
        let changes: [ServiceID: ProxiedService?] = [
            Fixtures.redisMaster(endpoints: 3).id: Fixtures.redisMaster(endpoints: 3), Fixtures.frontend.id: nil,
            Fixtures.redisSlaveNamedPort.id: Fixtures.redisSlaveNamedPort,
        ]
        #expect(keyed.accepts(changes: changes, node: Fixtures.node))
        #expect(try keyed.sync(changes: changes, node: Fixtures.node, with: byChanges) == .partial)
        #expect(try whole.sync(to: second, with: byState) == .partial)
        #expect(byChanges.batches.last == byState.batches.last)
        #expect(keyed.appliedRuleset == Ruleset.services(for: second))
        // The same changes again hold nothing new; after them the whole state is still understood.
        #expect(try keyed.sync(changes: changes, node: Fixtures.node, with: byChanges) == .unchanged)
        #expect(try keyed.sync(to: second, with: byChanges) == .unchanged)
    }

    @Test("changes that only the whole state can settle are refused, and nothing is sent")
    func changesNeedingTheWholeState() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        let changes: [ServiceID: ProxiedService?] = [Fixtures.frontend.id: Fixtures.frontend]
        #expect(!sync.accepts(changes: changes, node: Fixtures.node), "nothing applied yet")
        try sync.sync(to: Fixtures.state(Fixtures.frontend), with: writer)
        var web = Fixtures.frontend
        web.name = "web"
        web.clusterIP = IPv4Address("10.254.0.31")!
        #expect(!sync.accepts(changes: [web.id: web], node: Fixtures.node), "NodePort 30001 stays with the frontend")
        var masquerading = Fixtures.node
        masquerading.masqueradeAll = true
        #expect(!sync.accepts(changes: changes, node: masquerading), "new node settings")
        var moved = Fixtures.frontend
        moved.ports[0].nodePort = 30002
        #expect(sync.accepts(changes: [web.id: web, moved.id: moved], node: Fixtures.node), "the frontend lets the NodePort go in the same change")
        let sent = writer.batches.count
        #expect(throws: NetfilterError.incrementalRefused(services: 1)) {
            try sync.sync(changes: [web.id: web], node: Fixtures.node, with: writer)
        }
        #expect(writer.batches.count == sent)
        #expect(sync.appliedRuleset == Ruleset.services(for: Fixtures.state(Fixtures.frontend)), "a refusal leaves the sync as it was")
    }

    @Test("a change that takes the services past one table's worth is refused: the tables are laid out again")
    func changesThatReshard() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        let services = (0..<ProxyNames.servicesPerShard).map { index in
            var service = Fixtures.frontendWithoutEndpoints
            service.name = "service-\(index)"
            service.clusterIP = IPv4Address(UInt32(0x0AFE_0000) + UInt32(index) + 1)
            service.ports[0].nodePort = nil
            return service
        }
        try sync.sync(to: ServiceProxyState(services: services, node: Fixtures.node), with: writer)
        var one = services[0]
        one.name = "one-more"
        one.clusterIP = IPv4Address(0x0AFE_FF01)
        #expect(!sync.accepts(changes: [one.id: one], node: Fixtures.node))
        #expect(sync.accepts(changes: [services[0].id: nil, one.id: one], node: Fixtures.node), "one gone, one new: the count stays")
    }
}

