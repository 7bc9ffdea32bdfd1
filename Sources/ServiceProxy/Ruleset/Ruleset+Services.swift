import IPv4

extension Ruleset {
    /// The ruleset that serves `state` (Cluster traffic policy, IPv4): kube-proxy's nftables mode
    /// in what it does, laid out so that the kernel's work for a change does not grow with the
    /// number of services.
    ///
    /// - `nat-prerouting` and `nat-output` (dstnat) jump to `services`, which dispatches by
    ///   `ip daddr . meta l4proto . th dport`, and traffic to any local address
    ///   (`fib daddr type local`, loopback excluded) by `meta l4proto . th dport`;
    /// - a service port with endpoints and no ClientIP affinity has no chain of its own: its
    ///   endpoints are the slots of a map of the ports with as many endpoints,
    ///   `(cluster IP . proto . port . slot) : (endpoint IP . port)` in `cluster-backends-<n>`
    ///   (NodePorts: `(proto . port . slot)` in `nodeport-backends-<n>`), and one rule per endpoint
    ///   count `dnat ip to ip daddr . meta l4proto . th dport . numgen random mod n map @...`
    ///   picks one of the n slots at random, 1/n each. Connections to its cluster IP from outside
    ///   the cluster CIDR (`@cluster-ips`), and all through its NodePort (`@nodeports`), are
    ///   marked for masquerade first; a connection an endpoint makes to its own service and that
    ///   lands on itself (`@hairpin`, checked at srcnat) is marked too;
    /// - a service port with ClientIP affinity keeps kube-proxy's chains, since its choice
    ///   depends on the client: `service-ips` (a verdict map) goes to its `service-...` chain,
    ///   which marks, keeps affinity (a dynamic set per endpoint) and picks one rule per
    ///   endpoint, `numgen random mod N-i 0 goto endpoint-...`; the endpoint chain marks hairpin
    ///   traffic, records affinity and DNATs; its NodePort enters through `external-...`
    ///   (`service-nodeports`), which marks and goes to the service chain;
    /// - a service port without endpoints is in `no-endpoint-services` (its NodePort in
    ///   `no-endpoint-nodeports`), checked for new connections by `filter-input`, `-forward` and
    ///   `-output` at dstnat - 10, which reject them at once;
    /// - `nat-postrouting` (srcnat) masquerades packets carrying the mark, clearing it.
    ///
    /// Why: the kernel validates a table from its base chains through every jump, goto and
    /// verdict-map element whenever a batch adds one, and walks every chain of the namespace on
    /// every commit. A set or data-map element is neither, so adding or removing a service
    /// without affinity costs the same at 100 services as at 10,000.
    ///
    /// - Parameter state: services, endpoints and node settings.
    /// - Returns: the whole table; the same state always gives the same ruleset.
    public static func services(for state: ServiceProxyState) -> Ruleset {
        services(state.withoutConflicts().services, node: state.node)
    }

    /// The table for `services` (no two claiming one port).
    static func services(_ services: some Collection<ProxiedService>, node: ProxyNodeSettings) -> Ruleset {
        var ruleset = base(for: node, slotClasses: slotClasses(of: services))
        for service in services.sorted(by: { $0.id < $1.id }) {
            ruleset.merge(fragment(for: service, node: node))
        }
        return ruleset
    }

    /// The endpoint counts of the ports `services` serve through slots.
    public static func slotClasses(of services: some Sequence<ProxiedService>) -> Set<Int> {
        Set(services.flatMap(slotPorts(of:)))
    }

    /// The endpoint count of each port `service` serves through slots, a port at a time: none
    /// with ClientIP affinity, and none of a port without endpoints.
    static func slotPorts(of service: ProxiedService) -> [Int] {
        guard case .none = service.sessionAffinity else { return [] }
        return service.ports.compactMap { port in
            let count = service.distinctEndpoints(of: port).count
            return count > 0 ? count : nil
        }
    }

    static let clusterKey: [Statement.KeyField] = [.ipDaddr, .l4proto, .thDport]
    static let nodePortKey: [Statement.KeyField] = [.l4proto, .thDport]
    /// What a slot holds: the endpoint's address and port, as `dnat ip to ... map` takes them.
    static let backendValue: [Statement.KeyField] = [.ipDaddr, .thDport]
    static let hairpinKey: [Statement.KeyField] = [.ctOriginalIpDaddr, .ipSaddr, .ipDaddr]

    /// What every ruleset has whatever the services: the base chains, the dispatch (with one
    /// rule per slot class) and reject chains, masquerading, and the sets and maps without
    /// elements.
    public static func base(for node: ProxyNodeSettings, slotClasses: Set<Int> = []) -> Ruleset {
        let mark = node.masqueradeMark
        var ruleset = Ruleset(table: ProxyNames.table)
        let anyLocalAddress: [Statement] = [.fibDaddrTypeLocal, .ip(.daddr, .notEqual, IPv4CIDR("127.0.0.0/8")!)]
        let classes = slotClasses.sorted()

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
                    Rule(.lookup(key: clusterKey, set: ProxyNames.noEndpointServices), .verdict(.goto(ProxyNames.rejectChain))),
                    Rule(
                        anyLocalAddress + [
                            .lookup(key: nodePortKey, set: ProxyNames.noEndpointNodePorts), .verdict(.goto(ProxyNames.rejectChain)),
                        ]),
                ]))
        ruleset.add(Chain(ProxyNames.rejectChain, rules: [Rule(.reject)]))

        var dispatch = [Rule(.vmap(key: clusterKey, map: ProxyNames.serviceIPs))]
        let toSlots = Statement.lookup(key: clusterKey, set: ProxyNames.clusterIPs)
        if node.masqueradeAll {
            dispatch.append(Rule(toSlots, .verdict(.jump(ProxyNames.markForMasquerade))))
        } else if let cidr = node.clusterCIDR {
            dispatch.append(Rule(toSlots, .ip(.saddr, .notEqual, cidr), .verdict(.jump(ProxyNames.markForMasquerade))))
        }
        dispatch += classes.map { count in
            Rule(.dnatMap(key: clusterKey + [.numgenRandom(modulus: UInt32(count))], map: ProxyNames.clusterBackends(count)))
        }
        dispatch.append(Rule(anyLocalAddress + [.vmap(key: nodePortKey, map: ProxyNames.serviceNodePorts)]))
        dispatch.append(
            Rule(anyLocalAddress + [.lookup(key: nodePortKey, set: ProxyNames.nodePorts), .verdict(.jump(ProxyNames.markForMasquerade))]))
        dispatch += classes.map { count in
            Rule(
                anyLocalAddress + [
                    .dnatMap(key: nodePortKey + [.numgenRandom(modulus: UInt32(count))], map: ProxyNames.nodePortBackends(count))
                ])
        }
        ruleset.add(Chain(ProxyNames.services, rules: dispatch))
        ruleset.add(Chain(ProxyNames.markForMasquerade, rules: [Rule(.setMarkOr(mark))]))
        ruleset.add(
            Chain(
                ProxyNames.masquerading,
                rules: [
                    Rule(.lookup(key: hairpinKey, set: ProxyNames.hairpin), .setMarkOr(mark)),
                    Rule(.markAnd(mask: mark, equals: 0), .verdict(.return)),
                    Rule(.setMarkXor(mark)),
                    Rule(.masquerade(fullyRandom: true)),
                ]))
        for set in emptySets { ruleset.add(set) }
        for count in classes { for map in classMaps(count) { ruleset.add(map) } }
        return ruleset
    }

    /// The sets and maps every ruleset has, without elements.
    private static var emptySets: [NamedSet] {
        [
            .verdictMap(ProxyNames.serviceIPs, key: [.ipv4Address, .inetProto, .inetService]),
            .verdictMap(ProxyNames.serviceNodePorts, key: [.inetProto, .inetService]),
            .set(ProxyNames.noEndpointServices, key: [.ipv4Address, .inetProto, .inetService]),
            .set(ProxyNames.noEndpointNodePorts, key: [.inetProto, .inetService]),
            .set(ProxyNames.clusterIPs, key: [.ipv4Address, .inetProto, .inetService]),
            .set(ProxyNames.nodePorts, key: [.inetProto, .inetService]),
            .set(ProxyNames.hairpin, typeof: hairpinKey),
        ]
    }

    /// The two slot maps of the ports with `count` endpoints, without elements.
    static func classMaps(_ count: Int) -> [NamedSet] {
        let slot = Statement.KeyField.numgenRandom(modulus: UInt32(count))
        return [
            .dataMap(ProxyNames.clusterBackends(count), typeof: clusterKey + [slot], data: backendValue),
            .dataMap(ProxyNames.nodePortBackends(count), typeof: nodePortKey + [slot], data: backendValue),
        ]
    }

    /// What one service adds to the base: its elements of the sets and maps (the fragment holds
    /// only those, and the slot maps it fills), and for ClientIP affinity its chains and affinity
    /// sets. Services never share a chain, a set element or a map key
    /// (`ServiceProxyState.withoutConflicts()`): every key starts with the service's cluster IP
    /// port or NodePort. So a fragment can be added, replaced or taken away on its own: that is
    /// what makes a partial sync cost the same at 100 services as at 10,000.
    public static func fragment(for service: ProxiedService, node: ProxyNodeSettings) -> Ruleset {
        var ruleset = Ruleset(table: ProxyNames.table, sets: emptySets)
        for port in service.ports {
            let ipKey = SetKey(.address(service.clusterIP), .proto(port.protocol), .port(port.port))
            let nodePortKey = port.nodePort.map { SetKey(.proto(port.protocol), .port($0)) }
            let endpoints = service.distinctEndpoints(of: port)
            guard !endpoints.isEmpty else {
                ruleset.sets[ProxyNames.noEndpointServices]!.elements.updateValue(nil, forKey: ipKey)
                if let nodePortKey {
                    ruleset.sets[ProxyNames.noEndpointNodePorts]!.elements.updateValue(nil, forKey: nodePortKey)
                }
                continue
            }
            guard case .none = service.sessionAffinity else {
                ruleset.addAffinityChains(service, port, endpoints, ipKey: ipKey, nodePortKey: nodePortKey, node: node)
                continue
            }
            let count = endpoints.count
            for map in classMaps(count) where ruleset.sets[map.name] == nil { ruleset.add(map) }
            ruleset.sets[ProxyNames.clusterIPs]!.elements.updateValue(nil, forKey: ipKey)
            for (slot, endpoint) in endpoints.enumerated() {
                let backend = ElementValue.data(SetKey(.address(endpoint.ip), .port(endpoint.port)))
                ruleset.sets[ProxyNames.clusterBackends(count)]!.elements[SetKey(ipKey.values + [.slot(UInt32(slot))])] = backend
                if let nodePortKey {
                    ruleset.sets[ProxyNames.nodePortBackends(count)]!.elements[SetKey(nodePortKey.values + [.slot(UInt32(slot))])] =
                        backend
                }
                let hairpin = SetKey(.address(service.clusterIP), .address(endpoint.ip), .address(endpoint.ip))
                ruleset.sets[ProxyNames.hairpin]!.elements.updateValue(nil, forKey: hairpin)
            }
            if let nodePortKey { ruleset.sets[ProxyNames.nodePorts]!.elements.updateValue(nil, forKey: nodePortKey) }
        }
        return ruleset
    }

    /// A ClientIP-affinity service port's dispatch elements and chains, kube-proxy's way.
    private mutating func addAffinityChains(
        _ service: ProxiedService, _ port: ProxiedService.Port, _ endpoints: [ProxiedService.Endpoint], ipKey: SetKey,
        nodePortKey: SetKey?, node: ProxyNodeSettings
    ) {
        let serviceChain = ProxyNames.serviceChain(service, port)
        sets[ProxyNames.serviceIPs]!.elements[ipKey] = .goto(serviceChain)
        if let nodePortKey {
            let external = ProxyNames.externalChain(service, port)
            sets[ProxyNames.serviceNodePorts]!.elements[nodePortKey] = .goto(external)
            add(Chain(external, rules: [Rule(.verdict(.jump(ProxyNames.markForMasquerade))), Rule(.verdict(.goto(serviceChain)))]))
        }
        add(Self.servicePortChains(service, port, endpoints, node: node, into: &self))
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
                rules.append(Rule(.lookup(key: [.ipSaddr], set: set), .verdict(.goto(chain))))
                endpointRules.append(Rule(.update(set: set, key: .saddr)))
            }
            endpointRules.append(Rule(.l4proto(port.protocol), .dnat(endpoint.ip, endpoint.port)))
            ruleset.add(Chain(chain, rules: endpointRules))
        }
        rules += picks
        return Chain(ProxyNames.serviceChain(service, port), rules: rules)
    }
}
