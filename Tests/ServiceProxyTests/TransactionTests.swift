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

    @Test("an endpoint added to a service without affinity replaces its slots: elements only, when its new endpoint count is in use")
    func endpointAddedToSlots() throws {
        // Other services keep both counts in use, so no slot map comes or goes.
        let three = Fixtures.redisSlave(endpoints: 3)
        var two = Fixtures.redisSlave(endpoints: 2)
        two.name = "redis-slave-b"
        two.clusterIP = Fixtures.ip("10.254.0.21")
        let before = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 2), three, two)
        let after = Fixtures.ruleset(master, three, two)
        let plan = try #require(Transaction.incremental(from: before, to: after))
        let vip = SetKey.Value.address(master.clusterIP)
        func slot(_ index: UInt32) -> SetKey { SetKey(vip, .proto(.tcp), .port(6379), .slot(index)) }
        func backend(_ last: UInt8) -> ElementValue { .data(SetKey(.address(IPv4Address(10, 244, 1, last)), .port(6379))) }
        #expect(
            plan.operations == [
                .deleteElements(set: ProxyNames.clusterBackends(2), [slot(0), slot(1)]),
                .addElements(set: ProxyNames.clusterBackends(3), [slot(0): backend(2), slot(1): backend(3), slot(2): backend(4)]),
                .addElements(set: ProxyNames.hairpin, [SetKey(vip, .address(IPv4Address(10, 244, 1, 4)), .address(IPv4Address(10, 244, 1, 4))): nil]),
            ])
    }

    @Test("the first port with a new endpoint count adds that count's slot maps and writes the dispatch rules again; the last one takes them away")
    func slotClassesComeAndGo() throws {
        let before = Fixtures.ruleset(Fixtures.frontend)
        let after = Fixtures.ruleset(Fixtures.frontend, master)
        let plan = try #require(Transaction.incremental(from: before, to: after))
        let added = plan.operations.compactMap { if case .addSet(let set) = $0 { set.name } else { nil } }
        #expect(added == [ProxyNames.clusterBackends(3), ProxyNames.nodePortBackends(3)])
        #expect(plan.operations.contains(.flushChain(ProxyNames.services)))
        #expect(after.chains[ProxyNames.services]!.rules.contains { $0.render() == "dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @cluster-backends-3" })
        let back = try #require(Transaction.incremental(from: after, to: before))
        #expect(back.operations.contains(.deleteSet(ProxyNames.clusterBackends(3))))
        #expect(back.operations.contains(.deleteSet(ProxyNames.nodePortBackends(3))))
    }

    @Test("with ClientIP affinity an endpoint added creates its chain and rewrites only its service's chain")
    func endpointAdded() throws {
        let affinity = ProxiedService.SessionAffinity.clientIP(timeoutSeconds: 10800)
        let sticky = Fixtures.redisMaster(endpoints: 3, affinity: affinity)
        let before = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 2, affinity: affinity), Fixtures.frontend)
        let after = Fixtures.ruleset(sticky, Fixtures.frontend)
        let added = ProxyNames.endpointChain(sticky, port, endpoint(4))
        let service = ProxyNames.serviceChain(sticky, port)
        let set = ProxyNames.affinitySet(sticky, port, endpoint(4))
        let plan = try #require(Transaction.incremental(from: before, to: after))
        #expect(
            plan.operations
                == [.addChain(Chain(added)), .flushChain(service), .addSet(after.sets[set]!)]
                + after.chains[added]!.rules.map { .addRule(chain: added, $0) }
                + after.chains[service]!.rules.map { .addRule(chain: service, $0) })
    }

    @Test("a service without affinity removed among others of its endpoint count sends element deletions alone")
    func serviceRemoved() throws {
        let frontend = Fixtures.frontend
        let other = Fixtures.redisMaster(endpoints: 1)
        let before = Fixtures.ruleset(other, frontend)
        let after = Fixtures.ruleset(other)
        let vip = SetKey.Value.address(frontend.clusterIP)
        let endpoint = SetKey.Value.address(frontend.endpoints[""]![0].ip)
        let plan = try #require(Transaction.incremental(from: before, to: after))
        #expect(
            plan.operations == [
                .deleteElements(set: ProxyNames.clusterBackends(1), [SetKey(vip, .proto(.tcp), .port(80), .slot(0))]),
                .deleteElements(set: ProxyNames.clusterIPs, [SetKey(vip, .proto(.tcp), .port(80))]),
                .deleteElements(set: ProxyNames.hairpin, [SetKey(vip, endpoint, endpoint)]),
                .deleteElements(set: ProxyNames.nodePortBackends(1), [SetKey(.proto(.tcp), .port(30001), .slot(0))]),
                .deleteElements(set: ProxyNames.nodePorts, [SetKey(.proto(.tcp), .port(30001))]),
            ])
    }

    @Test("with ClientIP affinity a service removed loses its map elements first, then its flushed chains")
    func affinityServiceRemoved() throws {
        var frontend = Fixtures.frontend
        frontend.sessionAffinity = .clientIP(timeoutSeconds: 10800)
        let before = Fixtures.ruleset(master, frontend)
        let after = Fixtures.ruleset(master)
        let frontendPort = frontend.ports[0]
        let endpoint = frontend.endpoints[""]![0]
        let chains = [
            ProxyNames.endpointChain(frontend, frontendPort, endpoint),
            ProxyNames.externalChain(frontend, frontendPort), ProxyNames.serviceChain(frontend, frontendPort),
        ]
        let plan = try #require(Transaction.incremental(from: before, to: after))
        #expect(
            plan.operations
                == chains.map { .flushChain($0) } + [
                    .deleteElements(set: ProxyNames.serviceIPs, [SetKey(.address(frontend.clusterIP), .proto(.tcp), .port(80))]),
                    .deleteElements(set: ProxyNames.serviceNodePorts, [SetKey(.proto(.tcp), .port(30001))]),
                    .deleteSet(ProxyNames.affinitySet(frontend, frontendPort, endpoint)),
                ] + chains.map { .deleteChain($0) })
    }

    @Test("a service losing its endpoints moves from its slots to no-endpoint-services, without a rule")
    func endpointsGone() throws {
        let other = Fixtures.redisMaster(endpoints: 1)
        let before = Fixtures.ruleset(Fixtures.frontend, other)
        let after = Fixtures.ruleset(Fixtures.frontendWithoutEndpoints, other)
        let plan = try #require(Transaction.incremental(from: before, to: after))
        #expect(plan.operations.contains(.addElements(set: ProxyNames.noEndpointServices, [SetKey(.address(Fixtures.ip("10.254.0.30")), .proto(.tcp), .port(80)): nil])))
        #expect(plan.operations.contains(.addElements(set: ProxyNames.noEndpointNodePorts, [SetKey(.proto(.tcp), .port(30001)): nil])))
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
        #expect(!writer.applied.last!.touches("10.254.0.2"), "kube-system/dns did not change")
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
        let nodePorts = try #require(sync.appliedRuleset?.sets[ProxyNames.nodePorts]?.elements.keys)
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
        let nodePorts = try #require(sync.appliedRuleset?.sets[ProxyNames.nodePortBackends(1)]?.elements)
        let frontendBackend = ElementValue.data(SetKey(.address(Fixtures.ip("10.244.1.7")), .port(80)))
        #expect(nodePorts == [SetKey(.proto(.tcp), .port(30001), .slot(0)): frontendBackend])
        // The copy still has its cluster IP.
        #expect(sync.appliedRuleset?.sets[ProxyNames.clusterIPs]?.elements.count == 2)
    }

    @Test("a cluster IP claimed by two services stays with the one that sorts first, and the other is left out whole and named")
    func clusterIPConflict() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        var copy = Fixtures.frontend
        copy.name = "zz-frontend-copy"
        copy.ports = [.init(port: 8080)]
        try sync.sync(to: Fixtures.state(Fixtures.frontend, copy), with: writer)
        #expect(sync.conflicts.map(\.description) == [
            "service default/zz-frontend-copy: spec.clusterIP 10.254.0.30 is already used by service default/frontend; the service is not programmed"
        ])
        #expect(sync.appliedRuleset == Ruleset.services(for: Fixtures.state(Fixtures.frontend)))
        var moved = copy
        moved.clusterIP = Fixtures.ip("10.254.0.99")
        #expect(sync.accepts(changes: [moved.id: moved], node: Fixtures.node) == false, "the last sync had a conflict: only the whole state settles it")
        try sync.sync(to: Fixtures.state(Fixtures.frontend, moved), with: writer)
        #expect(sync.conflicts.isEmpty)
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

    @Test("a partial sync of a service with a new endpoint count adds its slot maps; the next service of that count sends elements alone")
    func partialSyncOfSlotClasses() throws {
        let writer = RecordingWriter()
        var sync = RulesetSync()
        try sync.sync(to: Fixtures.state(Fixtures.frontend), with: writer)
        let two = Fixtures.redisMaster(endpoints: 2)
        #expect(try sync.sync(changes: [two.id: two], node: Fixtures.node, with: writer) == .partial)
        let first = try #require(writer.applied.last)
        #expect(first.operations.contains(.addSet(Ruleset.classMaps(2)[0])))
        #expect(first.operations.contains(.flushChain(ProxyNames.services)))
        let another = Fixtures.redisSlave(endpoints: 2)
        #expect(try sync.sync(changes: [another.id: another], node: Fixtures.node, with: writer) == .partial)
        let second = try #require(writer.applied.last)
        #expect(second.operations.allSatisfy { if case .addElements = $0 { true } else { false } }, "\(second.operations)")
        #expect(sync.appliedRuleset == Ruleset.services(for: Fixtures.state(Fixtures.frontend, two, another)))
        #expect(try sync.sync(changes: [two.id: nil, another.id: nil], node: Fixtures.node, with: writer) == .partial)
        #expect(writer.applied.last!.operations.contains(.deleteSet(ProxyNames.clusterBackends(2))), "the last port of the count takes its maps away")
        #expect(sync.appliedRuleset == Ruleset.services(for: Fixtures.state(Fixtures.frontend)))
    }
}

