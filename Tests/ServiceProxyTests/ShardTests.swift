import Testing

@testable import ServiceProxy
import IPv4

/// Many services: filler services with endpoints nobody connects to.
private func fillers(_ count: Int) -> [ProxiedService] {
    (0..<count).map { (index: Int) -> ProxiedService in
        let high = UInt8(index >> 8)
        let low = UInt8(index & 0xff)
        let endpoint = ProxiedService.Endpoint(ip: IPv4Address(10, 200, high, low), port: 8080)
        return ProxiedService(
            namespace: "filler", name: "service-\(index)", clusterIP: IPv4Address(10, 100, high, low),
            ports: [ProxiedService.Port(port: 80, targetPort: .number(8080))], endpoints: ["": [endpoint]])
    }
}

/// `web` renamed until it lands in shard `shard` of `count`.
private func web(inShard shard: Int, of count: Int, backends: [UInt8] = [2, 3]) -> ProxiedService {
    let name = (0...).lazy.map { "web-\($0)" }.first { Ruleset.shard(of: ServiceID(namespace: "default", name: $0), count: count) == shard }!
    return ProxiedService(
        name: name, clusterIP: Fixtures.ip("10.254.0.10"), ports: [.init(port: 80, nodePort: 30001, targetPort: .number(8080))],
        endpoints: ["": backends.map { .init(ip: IPv4Address(10, 244, 1, $0), port: 8080) }])
}

@Suite("services spread over shard tables")
struct ShardTests {
    @Test("one table up to 1,024 services, then powers of two, at most 16")
    func shardCounts() {
        #expect(Ruleset.shardCount(forServices: 0) == 1)
        #expect(Ruleset.shardCount(forServices: 1024) == 1)
        #expect(Ruleset.shardCount(forServices: 1025) == 2)
        #expect(Ruleset.shardCount(forServices: 10_000) == 16)
        #expect(Ruleset.shardCount(forServices: 1_000_000) == 16)
    }

    @Test("a service's shard depends on its namespace and name only, and shards fill evenly")
    func shardsAreStableAndEven() {
        let id = ServiceID(namespace: "default", name: "frontend")
        #expect(Ruleset.shard(of: id, count: 16) == Ruleset.shard(of: id, count: 16))
        var sizes = [Int](repeating: 0, count: 16)
        for service in fillers(10_000) { sizes[Ruleset.shard(of: service.id, count: 16)] += 1 }
        #expect(sizes.min()! > 500 && sizes.max()! < 750, "\(sizes)")
    }

    @Test("a shard table holds its services' dispatch; clc-proxy keeps the reject path and masquerading for all")
    func layout() {
        let silent = ProxiedService(name: "silent", clusterIP: Fixtures.ip("10.254.0.11"), ports: [.init(port: 80)])
        let tables = Ruleset.tables(for: ServiceProxyState(services: fillers(1100) + [web(inShard: 1, of: 2), silent], node: Fixtures.node))
        #expect(tables.map(\.table) == ["clc-proxy", "clc-proxy-1"])
        #expect(tables[1].chains.keys.contains("nat-prerouting") && tables[1].chains["nat-postrouting"] == nil)
        #expect(tables[1].chains["filter-input"] == nil && tables[0].chains["filter-input"] != nil)
        let key = SetKey(.address(Fixtures.ip("10.254.0.10")), .proto(.tcp), .port(80))
        #expect(tables[1].sets[ProxyNames.serviceIPs]!.elements[key] != nil)
        #expect(tables[0].sets[ProxyNames.serviceIPs]!.elements[key] == nil)
        let silentKey = SetKey(.address(Fixtures.ip("10.254.0.11")), .proto(.tcp), .port(80))
        #expect(tables[0].sets[ProxyNames.noEndpointServices]!.elements[silentKey] != nil)
        let total = tables.reduce(0) { $0 + $1.sets[ProxyNames.serviceIPs]!.elements.count }
        #expect(total == 1101)
    }

    @Test("in the kernel: every table lists as rendered; a change touches one shard; shrinking deletes the shard table")
    func kernel() throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let writer = try NetlinkRulesetWriter(networkNamespace: namespace.path)
        var sync = RulesetSync()
        var state = ServiceProxyState(services: fillers(1100) + [web(inShard: 1, of: 2)], node: Fixtures.node)
        #expect(try sync.sync(to: state, with: writer) == .full)
        for table in Ruleset.tables(for: state) {
            #expect(NftListing.normalize(try namespace.listTable(table.table)) == NftListing.normalize(table.render()), "\(table.table)")
        }
        state.services[1100] = web(inShard: 1, of: 2, backends: [2, 3, 4])
        #expect(try sync.sync(to: state, with: writer) == .partial)
        for table in Ruleset.tables(for: state) {
            #expect(NftListing.normalize(try namespace.listTable(table.table)) == NftListing.normalize(table.render()), "\(table.table)")
        }
        state.services = Array(state.services.suffix(1))
        #expect(try sync.sync(to: state, with: writer) == .full)
        #expect(try namespace.exec("nft", "list", "tables").split(separator: "\n") == ["table ip clc-proxy"])
    }
}

@Suite("traffic through a shard table")
struct ShardTrafficTests {
    @Test("a cluster IP and a NodePort served from a shard table reach their backends, and the reply is masqueraded by clc-proxy")
    func throughShard() throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try lab.startBackends(["10.244.1.2:8080", "10.244.1.3:8080"])
        var sync = RulesetSync()
        try sync.sync(to: ServiceProxyState(services: fillers(1100) + [web(inShard: 1, of: 2)], node: Fixtures.node), with: lab.writer)
        for (host, port) in [("10.254.0.10", 80), (TrafficLab.nodeIP, 30001)] {
            let outcome = try lab.connect(to: host, port: port, count: 20)
            #expect(Set(outcome.counts.keys) == ["10.244.1.2", "10.244.1.3"], "\(host):\(port) \(outcome.counts)")
        }
    }
}
