import Foundation
import Testing

@testable import ServiceProxy

/// One case of the listing test: a name and the services the ruleset serves.
struct KernelCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var services: [ProxiedService]

    var ruleset: Ruleset { Ruleset.services(for: ServiceProxyState(services: services, node: Fixtures.node)) }
}

private let kernelCases: [KernelCase] = [
    KernelCase(
        testDescription: "services without endpoints",
        services: [Fixtures.redisMaster(endpoints: 0), Fixtures.frontendWithoutEndpoints]),
    KernelCase(testDescription: "a service with 1 endpoint", services: [Fixtures.redisMaster(endpoints: 1)]),
    KernelCase(testDescription: "a service with 3 endpoints", services: [Fixtures.redisMaster(endpoints: 3)]),
    KernelCase(testDescription: "a named target port", services: [Fixtures.redisSlaveNamedPort]),
    KernelCase(testDescription: "a NodePort", services: [Fixtures.frontend]),
    KernelCase(
        testDescription: "ClientIP affinity",
        services: [Fixtures.redisMaster(endpoints: 2, affinity: .clientIP(timeoutSeconds: 10800))]),
    KernelCase(testDescription: "TCP and UDP on one service", services: [Fixtures.dns]),
    KernelCase(
        testDescription: "the guestbook's services together",
        services: [Fixtures.redisMaster(endpoints: 3), Fixtures.redisSlaveNamedPort, Fixtures.frontend, Fixtures.dns]),
]

/// Each test programs the kernel through netlink inside a network namespace of its own and
/// compares `nft list table ip clc-proxy` there with the rendering (see `NftListing` for the
/// three things normalised).
@Suite("nftables in a scratch network namespace")
struct KernelTests {
    // No silent skip: without root, ip and nft these tests fail, and this one says why.
    @Test("the machine has what the kernel tests need: root, ip and nft")
    func prerequisites() {
        #expect(NetworkNamespace.isAvailable, "run as root with iproute2 and nftables installed (scripts/install-deps.sh)")
    }

    @Test("the rendered ruleset applied through netlink lists back as rendered", arguments: kernelCases)
    func listsAsRendered(_ scenario: KernelCase) throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let writer = try NetlinkRulesetWriter(networkNamespace: namespace.path)
        try writer.apply(.fullSync(scenario.ruleset))
        #expect(NftListing.normalize(try namespace.listTable()) == NftListing.normalize(scenario.ruleset.render()))
    }

    @Test("a full sync replaces what an earlier run left, and a second one adds no duplicates")
    func fullSyncReplaces() throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        // What an earlier run (or anything else) left in our table.
        try namespace.exec(
            "nft", "add table ip clc-proxy; add chain ip clc-proxy stale; add rule ip clc-proxy stale counter accept")
        let writer = try NetlinkRulesetWriter(networkNamespace: namespace.path)
        let ruleset = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 3), Fixtures.frontend)
        try writer.apply(.fullSync(ruleset))
        try writer.apply(.fullSync(ruleset))
        #expect(NftListing.normalize(try namespace.listTable()) == NftListing.normalize(ruleset.render()))
    }

    @Test("an endpoint added to one service is applied incrementally and lists as the new rendering")
    func incrementalEndpointAdded() throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let writer = try NetlinkRulesetWriter(networkNamespace: namespace.path)
        let before = Fixtures.state(Fixtures.redisMaster(endpoints: 2), Fixtures.frontend, Fixtures.dns)
        let after = Fixtures.state(Fixtures.redisMaster(endpoints: 3), Fixtures.frontend, Fixtures.dns)
        var sync = RulesetSync()
        #expect(try sync.sync(to: before, with: writer) == .full)
        #expect(try sync.sync(to: after, with: writer) == .partial)
        #expect(NftListing.normalize(try namespace.listTable()) == NftListing.normalize(Ruleset.services(for: after).render()))
        #expect(try sync.sync(to: after, with: writer) == .unchanged)
    }

    @Test("services removed, added and changed in one incremental sync list as the new rendering")
    func incrementalMixed() throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let writer = try NetlinkRulesetWriter(networkNamespace: namespace.path)
        let before = Fixtures.ruleset(
            Fixtures.redisMaster(endpoints: 2, affinity: .clientIP(timeoutSeconds: 10800)), Fixtures.frontend, Fixtures.dns)
        let after = Fixtures.ruleset(
            Fixtures.redisMaster(endpoints: 1, affinity: .clientIP(timeoutSeconds: 600)), Fixtures.frontendWithoutEndpoints,
            Fixtures.redisSlaveNamedPort)
        try writer.apply(.fullSync(before))
        try writer.apply(#require(Transaction.incremental(from: before, to: after)))
        #expect(NftListing.normalize(try namespace.listTable()) == NftListing.normalize(after.render()))
    }

    @Test("a rule jumping to a missing chain fails the whole transaction, names the rule and leaves the table as it was")
    func brokenTransactionIsAtomic() throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let writer = try NetlinkRulesetWriter(networkNamespace: namespace.path)
        let before = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 2))
        let after = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 3), Fixtures.frontend)
        try writer.apply(.fullSync(before))
        var broken = try #require(Transaction.incremental(from: before, to: after))
        // The test-only hook: a transaction is a public list of operations.
        broken.operations.append(.addRule(chain: ProxyNames.services, Rule(.verdict(.jump("no-such-chain")))))
        let error = #expect(throws: NetfilterError.self) { try writer.apply(broken) }
        guard case let .rejected(object, code, _, _)? = error else {
            Issue.record("expected .rejected, got \(String(describing: error))")
            return
        }
        #expect(object == "add rule to chain services: jump no-such-chain (table ip clc-proxy)")
        #expect(code == ENOENT)
        #expect(NftListing.normalize(try namespace.listTable()) == NftListing.normalize(before.render()))
    }
}
