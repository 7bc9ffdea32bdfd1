import KubeAPI

/// Large service counts are spread over several tables.
///
/// The kernel (6.18 here) does work proportional to the whole table on every commit that adds a
/// rule: it validates the table from its base chains through every jump and verdict-map
/// element. With 10,000 services in one table that is about 60 ms for any change, whatever its
/// size. So past `ProxyNames.servicesPerShard` services, the services' dispatch (nat base chains,
/// `service-ips`, `service-nodeports` and the service, external and endpoint chains) is spread
/// over shard tables `clc-proxy-1`, `clc-proxy-2`, ... by a stable hash of the service's
/// namespace and name; `clc-proxy` keeps shard 0, the reject path for services without
/// endpoints and the masquerading, which are the same for all. A change then costs the kernel
/// the validation of one shard. Up to `servicesPerShard` services there is one table, laid out
/// exactly as kube-proxy's.
extension Ruleset {
    /// How many tables serve `count` services: 1 up to `ProxyNames.servicesPerShard`, then the
    /// next power of two of count / servicesPerShard, at most `ProxyNames.maximumShards`. Powers
    /// of two, so that a growing cluster reshards (a full sync) only a few times.
    public static func shardCount(forServices count: Int, maximum: Int = ProxyNames.maximumShards) -> Int {
        var shards = 1
        while shards < maximum, count > shards * ProxyNames.servicesPerShard { shards *= 2 }
        return shards
    }

    /// The shard of a service: FNV-1a of `namespace/name`, the same in every run.
    public static func shard(of id: ServiceID, count: Int) -> Int {
        guard count > 1 else { return 0 }
        return Int(FNV1a.hash64("\(id.namespace)/\(id.name)") % UInt64(count))
    }

    /// The tables that serve `state`: `clc-proxy` first, then the shard tables.
    public static func tables(for state: ServiceProxyState) -> [Ruleset] {
        let services = state.withoutConflicts().services
        return tables(services, node: state.node, shards: shardCount(forServices: services.count))
    }

    /// The tables for `services` (no two claiming one port) spread over `shards` tables.
    static func tables(_ services: some Collection<ProxiedService>, node: ProxyNodeSettings, shards: Int) -> [Ruleset] {
        var tables = emptyTables(node: node, shards: shards)
        for service in services.sorted(by: { $0.id < $1.id }) {
            tables.merge(fragment(for: service, node: node), shard: shard(of: service.id, count: shards))
        }
        return tables
    }

    /// `clc-proxy` and `shards - 1` shard tables, without services. A shard table has nat
    /// prerouting and output dispatching through its own `service-ips` and `service-nodeports`,
    /// and its own mark-for-masquerade chain (jumps stay within a table).
    static func emptyTables(node: ProxyNodeSettings, shards: Int) -> [Ruleset] {
        let main = base(for: node)
        return [main]
            + (1..<max(shards, 1)).map { shard in
                var ruleset = Ruleset(table: ProxyNames.table(shard: shard))
                for name in ["nat-prerouting", "nat-output", ProxyNames.services, ProxyNames.markForMasquerade] {
                    ruleset.add(main.chains[name]!)
                }
                for name in [ProxyNames.serviceIPs, ProxyNames.serviceNodePorts] { ruleset.add(main.sets[name]!) }
                return ruleset
            }
    }

    /// The part of a service's fragment that goes to `clc-proxy` whatever its shard: its
    /// elements of the no-endpoint maps.
    var rejectPart: Ruleset {
        var part = Ruleset(table: table)
        for name in [ProxyNames.noEndpointServices, ProxyNames.noEndpointNodePorts] { if let set = sets[name] { part.add(set) } }
        return part
    }

    /// The rest of a service's fragment, which goes to its shard's table.
    var dispatchPart: Ruleset {
        var part = self
        for name in [ProxyNames.noEndpointServices, ProxyNames.noEndpointNodePorts] { part.sets[name] = nil }
        return part
    }
}

extension [Ruleset] {
    /// Adds a service's fragment to the tables (`clc-proxy` at 0, then the shards).
    mutating func merge(_ fragment: Ruleset, shard: Int) {
        if shard == 0 {
            self[0].merge(fragment)
        } else {
            self[0].merge(fragment.rejectPart)
            self[shard].merge(fragment.dispatchPart)
        }
    }
}
