import Testing

@testable import ServiceProxy

/// One golden: the services, and the whole text the ruleset must render as.
struct RenderCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var services: [ProxiedService]
    var expected: String
}

// The goldens are the complete `table ip clc-proxy`, tabs and all: a change anywhere in the
// layout shows here first. Node settings: cluster CIDR 10.244.0.0/16, mark 0x4000.
private let renderCases: [RenderCase] = [
    RenderCase(
        testDescription: "services without endpoints are rejected at once, by cluster IP and by NodePort",
        services: [Fixtures.redisMaster(endpoints: 0), Fixtures.frontendWithoutEndpoints],
        expected: """
table ip clc-proxy {
	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
		elements = { tcp . 30001 : goto reject-chain }
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.254.0.10 . tcp . 6379 : goto reject-chain, 10.254.0.30 . tcp . 80 : goto reject-chain }
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain reject-chain {
		reject
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}

"""),
    RenderCase(
        testDescription: "a service with 1 endpoint DNATs to it",
        services: [Fixtures.redisMaster(endpoints: 1)],
        expected: """
table ip clc-proxy {
	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.254.0.10 . tcp . 6379 : goto service-B2WOEKMH-default/redis-master/tcp/ }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoint-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379 {
		ip saddr 10.244.1.2 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.1.2:6379
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain reject-chain {
		reject
	}

	chain service-B2WOEKMH-default/redis-master/tcp/ {
		ip daddr 10.254.0.10 tcp dport 6379 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		goto endpoint-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}

"""),
    RenderCase(
        testDescription: "a service with 3 endpoints picks one at random",
        services: [Fixtures.redisMaster(endpoints: 3)],
        expected: """
table ip clc-proxy {
	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.254.0.10 . tcp . 6379 : goto service-B2WOEKMH-default/redis-master/tcp/ }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoint-FQQCW47P-default/redis-master/tcp/__10.244.1.4/6379 {
		ip saddr 10.244.1.4 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.1.4:6379
	}

	chain endpoint-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379 {
		ip saddr 10.244.1.2 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.1.2:6379
	}

	chain endpoint-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379 {
		ip saddr 10.244.1.3 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.1.3:6379
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain reject-chain {
		reject
	}

	chain service-B2WOEKMH-default/redis-master/tcp/ {
		ip daddr 10.254.0.10 tcp dport 6379 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		numgen random mod 3 0 goto endpoint-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379
		numgen random mod 2 0 goto endpoint-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379
		goto endpoint-FQQCW47P-default/redis-master/tcp/__10.244.1.4/6379
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}

"""),
    RenderCase(
        testDescription: "a named target port DNATs to the pod's container port of that name",
        services: [Fixtures.redisSlaveNamedPort],
        expected: """
table ip clc-proxy {
	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.254.0.20 . tcp . 6379 : goto service-EVCOZUME-default/redis-slave/tcp/ }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoint-MBAGYURU-default/redis-slave/tcp/__10.244.1.5/6380 {
		ip saddr 10.244.1.5 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.1.5:6380
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain reject-chain {
		reject
	}

	chain service-EVCOZUME-default/redis-slave/tcp/ {
		ip daddr 10.254.0.20 tcp dport 6379 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		goto endpoint-MBAGYURU-default/redis-slave/tcp/__10.244.1.5/6380
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}

"""),
    RenderCase(
        testDescription: "a NodePort (30001) enters through its external chain and is masqueraded",
        services: [Fixtures.frontend],
        expected: """
table ip clc-proxy {
	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.254.0.30 . tcp . 80 : goto service-DTOG5KOK-default/frontend/tcp/ }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
		elements = { tcp . 30001 : goto external-DTOG5KOK-default/frontend/tcp/ }
	}

	chain endpoint-EAKJJRBW-default/frontend/tcp/__10.244.1.7/80 {
		ip saddr 10.244.1.7 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.1.7:80
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain external-DTOG5KOK-default/frontend/tcp/ {
		jump mark-for-masquerade
		goto service-DTOG5KOK-default/frontend/tcp/
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain reject-chain {
		reject
	}

	chain service-DTOG5KOK-default/frontend/tcp/ {
		ip daddr 10.254.0.30 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		goto endpoint-EAKJJRBW-default/frontend/tcp/__10.244.1.7/80
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}

"""),
    RenderCase(
        testDescription: "ClientIP affinity keeps a dynamic set per endpoint with the timeout",
        services: [Fixtures.redisMaster(endpoints: 2, affinity: .clientIP(timeoutSeconds: 10800))],
        expected: """
table ip clc-proxy {
	set affinity-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 3h
	}

	set affinity-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 3h
	}

	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.254.0.10 . tcp . 6379 : goto service-B2WOEKMH-default/redis-master/tcp/ }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoint-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379 {
		ip saddr 10.244.1.2 jump mark-for-masquerade
		update @affinity-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379 { ip saddr }
		meta l4proto tcp dnat to 10.244.1.2:6379
	}

	chain endpoint-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379 {
		ip saddr 10.244.1.3 jump mark-for-masquerade
		update @affinity-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379 { ip saddr }
		meta l4proto tcp dnat to 10.244.1.3:6379
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain reject-chain {
		reject
	}

	chain service-B2WOEKMH-default/redis-master/tcp/ {
		ip daddr 10.254.0.10 tcp dport 6379 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		ip saddr @affinity-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379 goto endpoint-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379
		ip saddr @affinity-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379 goto endpoint-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379
		numgen random mod 2 0 goto endpoint-FQZDFY7E-default/redis-master/tcp/__10.244.1.2/6379
		goto endpoint-WUBMVH7E-default/redis-master/tcp/__10.244.1.3/6379
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}

"""),
    RenderCase(
        testDescription: "TCP and UDP on one service get a chain each",
        services: [Fixtures.dns],
        expected: """
table ip clc-proxy {
	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.254.0.2 . tcp . 53 : goto service-PXHAI4EJ-kube-system/dns/tcp/dns-tcp, 10.254.0.2 . udp . 53 : goto service-2YY5BS5C-kube-system/dns/udp/dns }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoint-MO5DUNZC-kube-system/dns/udp/dns__10.244.1.9/53 {
		ip saddr 10.244.1.9 jump mark-for-masquerade
		meta l4proto udp dnat to 10.244.1.9:53
	}

	chain endpoint-WV72TD4M-kube-system/dns/tcp/dns-tcp__10.244.1.9/53 {
		ip saddr 10.244.1.9 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.244.1.9:53
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-input {
		type filter hook input priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain filter-output {
		type filter hook output priority -110; policy accept;
		ct state new jump endpoints-check
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain reject-chain {
		reject
	}

	chain service-2YY5BS5C-kube-system/dns/udp/dns {
		ip daddr 10.254.0.2 udp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		goto endpoint-MO5DUNZC-kube-system/dns/udp/dns__10.244.1.9/53
	}

	chain service-PXHAI4EJ-kube-system/dns/tcp/dns-tcp {
		ip daddr 10.254.0.2 tcp dport 53 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		goto endpoint-WV72TD4M-kube-system/dns/tcp/dns-tcp__10.244.1.9/53
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}
}

"""),
]

@Suite("rendering the desired ruleset")
struct RulesetRenderTests {
    @Test("the ruleset renders as the golden text", arguments: renderCases)
    func rendersAsGolden(_ scenario: RenderCase) {
        let ruleset = Ruleset.services(for: ServiceProxyState(services: scenario.services, node: Fixtures.node))
        #expect(ruleset.render() == scenario.expected)
    }

    @Test("the same services in another order render the same text")
    func deterministic() {
        let forward = Fixtures.ruleset(Fixtures.redisMaster(endpoints: 3), Fixtures.frontend, Fixtures.dns)
        var shuffled = Fixtures.redisMaster(endpoints: 3)
        shuffled.endpoints[""]?.reverse()
        let backward = Fixtures.ruleset(Fixtures.dns, Fixtures.frontend, shuffled)
        #expect(forward.render() == backward.render())
    }

    @Test("masquerade-all marks every connection to the cluster IP, whatever its source")
    func masqueradeAll() throws {
        let state = ServiceProxyState(
            services: [Fixtures.redisMaster(endpoints: 1)], node: ProxyNodeSettings(masqueradeAll: true))
        let chain = try #require(Ruleset.services(for: state).chains["service-B2WOEKMH-default/redis-master/tcp/"])
        #expect(chain.rules.first?.render() == "ip daddr 10.254.0.10 tcp dport 6379 jump mark-for-masquerade")
    }

    @Test("durations and marks print as nft prints them", arguments: [
        (UInt32(10800), "3h"), (90, "1m30s"), (90000, "1d1h"), (10, "10s"), (0, "0s"),
    ])
    func durations(_ seconds: UInt32, _ text: String) {
        #expect(renderDuration(seconds: seconds) == text)
        #expect(hex8(0x4000) == "0x00004000")
    }

    @Test("an empty ruleset renders as an empty table")
    func emptyTable() {
        #expect(Ruleset(table: "clc-proxy").render() == "table ip clc-proxy {\n}\n")
    }
}
