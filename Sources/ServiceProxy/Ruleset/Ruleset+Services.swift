import IPv4

extension Ruleset {
    /// The ruleset that serves `state`, laid out as kube-proxy's nftables mode (Cluster traffic
    /// policy, IPv4):
    ///
    /// - `nat-prerouting` and `nat-output` (dstnat) jump to `services`, which dispatches
    ///   `ip daddr . meta l4proto . th dport` through the verdict map `service-ips`, and traffic
    ///   to any local address (`fib daddr type local`, loopback excluded) by
    ///   `meta l4proto . th dport` through `service-nodeports`;
    /// - a service port with endpoints has a chain `service-...` that marks for masquerade
    ///   connections from outside the cluster CIDR, keeps ClientIP affinity, then picks an
    ///   endpoint with one rule per endpoint, `numgen random mod N-i 0 goto endpoint-i`, where
    ///   kube-proxy has `numgen random mod N vmap { ... }`: that anonymous map per service costs
    ///   the kernel a walk of the whole batch each (10,000 services took over a minute through
    ///   `nft -f`, 2 s with these rules); each endpoint's chain `endpoint-...` marks hairpin
    ///   traffic (source is the endpoint itself), records affinity and DNATs;
    /// - a NodePort enters through `external-...`, which marks for masquerade and goes to the
    ///   service chain;
    /// - a service port without endpoints is in `no-endpoint-services` (and its NodePort in
    ///   `no-endpoint-nodeports`), checked for new connections by `filter-input`, `-forward` and
    ///   `-output` at dstnat - 10, which reject them at once;
    /// - `nat-postrouting` (srcnat) masquerades packets carrying the mark, clearing it.
    ///
    /// - Parameter state: services, endpoints and node settings.
    /// - Returns: the whole table; the same state always gives the same ruleset.
    public static func services(for state: ServiceProxyState) -> Ruleset {
        var ruleset = base(for: state.node)
        for service in state.withoutConflicts().services.sorted(by: { $0.id < $1.id }) {
            ruleset.merge(fragment(for: service, node: state.node))
        }
        return ruleset
    }

    /// What every ruleset has whatever the services: the base chains, the dispatch and reject
    /// chains, masquerading, and the four maps without elements.
    public static func base(for node: ProxyNodeSettings) -> Ruleset {
        let mark = node.masqueradeMark
        var ruleset = Ruleset(table: ProxyNames.table)
        let anyLocalAddress: [Statement] = [.fibDaddrTypeLocal, .ip(.daddr, .notEqual, IPv4CIDR("127.0.0.0/8")!)]

        for hook in [BaseChain.Hook.forward, .input, .output] {
            ruleset.add(
                Chain(
                    "filter-\(hook.rawValue)", base: BaseChain(type: .filter, hook: hook, priority: BaseChain.dstnat - 10),
                    rules: [Rule(.ctStateNew, .verdict(.jump(ProxyNames.endpointsCheck)))]))
        }
        for hook in [BaseChain.Hook.prerouting, .output] {
            ruleset.add(
                Chain(
                    "nat-\(hook.rawValue)", base: BaseChain(type: .nat, hook: hook, priority: BaseChain.dstnat),
                    rules: [Rule(.verdict(.jump(ProxyNames.services)))]))
        }
        ruleset.add(
            Chain(
                "nat-postrouting", base: BaseChain(type: .nat, hook: .postrouting, priority: BaseChain.srcnat),
                rules: [Rule(.verdict(.jump(ProxyNames.masquerading)))]))
        ruleset.add(
            Chain(
                ProxyNames.endpointsCheck,
                rules: [
                    Rule(.vmap(key: [.ipDaddr, .l4proto, .thDport], map: ProxyNames.noEndpointServices)),
                    Rule(anyLocalAddress + [.vmap(key: [.l4proto, .thDport], map: ProxyNames.noEndpointNodePorts)]),
                ]))
        ruleset.add(Chain(ProxyNames.rejectChain, rules: [Rule(.reject)]))
        ruleset.add(
            Chain(
                ProxyNames.services,
                rules: [
                    Rule(.vmap(key: [.ipDaddr, .l4proto, .thDport], map: ProxyNames.serviceIPs)),
                    Rule(anyLocalAddress + [.vmap(key: [.l4proto, .thDport], map: ProxyNames.serviceNodePorts)]),
                ]))
        ruleset.add(Chain(ProxyNames.markForMasquerade, rules: [Rule(.setMarkOr(mark))]))
        ruleset.add(
            Chain(
                ProxyNames.masquerading,
                rules: [
                    Rule(.markAnd(mask: mark, equals: 0), .verdict(.return)),
                    Rule(.setMarkXor(mark)),
                    Rule(.masquerade(fullyRandom: true)),
                ]))
        for map in emptyMaps { ruleset.add(map) }
        return ruleset
    }

    /// The four dispatch maps, without elements.
    private static var emptyMaps: [NamedSet] {
        [
            .verdictMap(ProxyNames.serviceIPs, key: [.ipv4Address, .inetProto, .inetService]),
            .verdictMap(ProxyNames.serviceNodePorts, key: [.inetProto, .inetService]),
            .verdictMap(ProxyNames.noEndpointServices, key: [.ipv4Address, .inetProto, .inetService]),
            .verdictMap(ProxyNames.noEndpointNodePorts, key: [.inetProto, .inetService]),
        ]
    }

    /// What one service adds to the base: its chains and affinity sets, and its elements of the
    /// four maps (the maps in the fragment hold only those). Services never share a chain, a set
    /// or a map key (`ServiceProxyState.withoutConflicts()`), so a fragment can be added, replaced
    /// or taken away on its own: that is what makes a partial sync cost the same at 100 services
    /// as at 10,000.
    public static func fragment(for service: ProxiedService, node: ProxyNodeSettings) -> Ruleset {
        var ruleset = Ruleset(table: ProxyNames.table, sets: emptyMaps)
        for port in service.ports {
            let ipKey = SetKey(.address(service.clusterIP), .proto(port.protocol), .port(port.port))
            let nodePortKey = port.nodePort.map { SetKey(.proto(port.protocol), .port($0)) }
            let endpoints = Array(Set(service.endpoints[port.name] ?? [])).sorted()
            guard !endpoints.isEmpty else {
                ruleset.sets[ProxyNames.noEndpointServices]!.elements[ipKey] = .goto(ProxyNames.rejectChain)
                if let nodePortKey {
                    ruleset.sets[ProxyNames.noEndpointNodePorts]!.elements[nodePortKey] = .goto(ProxyNames.rejectChain)
                }
                continue
            }
            let serviceChain = ProxyNames.serviceChain(service, port)
            ruleset.sets[ProxyNames.serviceIPs]!.elements[ipKey] = .goto(serviceChain)
            if let nodePortKey {
                let external = ProxyNames.externalChain(service, port)
                ruleset.sets[ProxyNames.serviceNodePorts]!.elements[nodePortKey] = .goto(external)
                ruleset.add(
                    Chain(
                        external,
                        rules: [Rule(.verdict(.jump(ProxyNames.markForMasquerade))), Rule(.verdict(.goto(serviceChain)))]))
            }
            ruleset.add(servicePortChains(service, port, endpoints, node: node, into: &ruleset))
        }
        return ruleset
    }

    /// Adds the chains of `fragment` and the elements of its sets (sets it does not have yet
    /// with their definition).
    public mutating func merge(_ fragment: Ruleset) {
        for (name, chain) in fragment.chains { chains[name] = chain }
        for (name, set) in fragment.sets {
            if sets[name] == nil {
                sets[name] = set
            } else {
                sets[name]!.elements.merge(set.elements) { _, new in new }
            }
        }
    }

    /// Adds the endpoint chains (and affinity sets) of one service port to `ruleset` and
    /// returns its service chain.
    private static func servicePortChains(
        _ service: ProxiedService, _ port: ProxiedService.Port, _ endpoints: [ProxiedService.Endpoint],
        node: ProxyNodeSettings, into ruleset: inout Ruleset
    ) -> Chain {
        var rules: [Rule] = []
        let toService: [Statement] = [
            .ip(.daddr, .equal, IPv4CIDR(service.clusterIP, prefixLength: 32)!), .dport(port.protocol, port.port),
        ]
        if node.masqueradeAll {
            rules.append(Rule(toService + [.verdict(.jump(ProxyNames.markForMasquerade))]))
        } else if let cidr = node.clusterCIDR {
            rules.append(Rule(toService + [.ip(.saddr, .notEqual, cidr), .verdict(.jump(ProxyNames.markForMasquerade))]))
        }
        var affinityTimeout: UInt32?
        if case .clientIP(let timeout) = service.sessionAffinity { affinityTimeout = timeout }
        var picks: [Rule] = []
        for (index, endpoint) in endpoints.enumerated() {
            let chain = ProxyNames.endpointChain(service, port, endpoint)
            // Endpoint i of N is taken with probability 1/(N-i) once 0..<i were passed over:
            // 1/N each, the last without a draw.
            let remaining = UInt32(endpoints.count - index)
            picks.append(Rule((remaining > 1 ? [.numgenRandomIsZero(modulus: remaining)] : []) + [.verdict(.goto(chain))]))
            var endpointRules = [
                Rule(.ip(.saddr, .equal, IPv4CIDR(endpoint.ip, prefixLength: 32)!), .verdict(.jump(ProxyNames.markForMasquerade)))
            ]
            if let affinityTimeout {
                let set = ProxyNames.affinitySet(service, port, endpoint)
                ruleset.add(.dynamicAddressSet(set, timeoutSeconds: affinityTimeout))
                rules.append(Rule(.ipInSet(.saddr, set: set), .verdict(.goto(chain))))
                endpointRules.append(Rule(.update(set: set, key: .saddr)))
            }
            endpointRules.append(Rule(.l4proto(port.protocol), .dnat(endpoint.ip, endpoint.port)))
            ruleset.add(Chain(chain, rules: endpointRules))
        }
        rules += picks
        return Chain(ProxyNames.serviceChain(service, port), rules: rules)
    }
}
