import Testing

@testable import ServiceProxy

/// One golden: the services, and the whole text the ruleset must render as.
struct RenderCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var services: [ProxiedService]
    var expected: String
}

// The goldens are the complete `table ip clc-proxy`, tabs and all, as `nft list table` prints
// it (KernelTests checks that): a change anywhere in the layout shows here first. Node settings: cluster CIDR 10.244.0.0/16, mark 0x4000.
private let renderCases: [RenderCase] = [
    RenderCase(
        testDescription: "services without endpoints are rejected at once, by cluster IP and by NodePort",
        services: [Fixtures.redisMaster(endpoints: 0), Fixtures.frontendWithoutEndpoints],
        expected: """
table ip clc-proxy {
	set cluster-ips {
		type ipv4_addr . inet_proto . inet_service
	}

	set hairpin {
		typeof ct original ip daddr . ip saddr . ip daddr
	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
		elements = { tcp . 30001 }
	}

	set no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service
		elements = { 10.254.0.10 . tcp . 6379, 10.254.0.30 . tcp . 80 }
	}

	set nodeports {
		type inet_proto . inet_service
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-chain
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-chain
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
		ct original ip daddr . ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000
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
		ip daddr . meta l4proto . th dport @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @nodeports jump mark-for-masquerade
	}
}

"""),
    RenderCase(
        testDescription: "a service with 1 endpoint DNATs to it",
        services: [Fixtures.redisMaster(endpoints: 1)],
        expected: """
table ip clc-proxy {
	map cluster-backends-1 {
		typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
		elements = { 10.254.0.10 . tcp . 6379 . 0 : 10.244.1.2 . 6379 }
	}

	set cluster-ips {
		type ipv4_addr . inet_proto . inet_service
		elements = { 10.254.0.10 . tcp . 6379 }
	}

	set hairpin {
		typeof ct original ip daddr . ip saddr . ip daddr
		elements = { 10.254.0.10 . 10.244.1.2 . 10.244.1.2 }
	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
	}

	set no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service
	}

	map nodeport-backends-1 {
		typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
	}

	set nodeports {
		type inet_proto . inet_service
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-chain
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-chain
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
		ct original ip daddr . ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000
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
		ip daddr . meta l4proto . th dport @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 1 map @cluster-backends-1
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @nodeports jump mark-for-masquerade
		fib daddr type local ip daddr != 127.0.0.0/8 dnat ip to meta l4proto . th dport . numgen random mod 1 map @nodeport-backends-1
	}
}

"""),
    RenderCase(
        testDescription: "a service with 3 endpoints fills 3 slots, one picked at random",
        services: [Fixtures.redisMaster(endpoints: 3)],
        expected: """
table ip clc-proxy {
	map cluster-backends-3 {
		typeof ip daddr . meta l4proto . th dport . numgen random mod 3 : ip daddr . th dport
		elements = { 10.254.0.10 . tcp . 6379 . 0 : 10.244.1.2 . 6379, 10.254.0.10 . tcp . 6379 . 1 : 10.244.1.3 . 6379, 10.254.0.10 . tcp . 6379 . 2 : 10.244.1.4 . 6379 }
	}

	set cluster-ips {
		type ipv4_addr . inet_proto . inet_service
		elements = { 10.254.0.10 . tcp . 6379 }
	}

	set hairpin {
		typeof ct original ip daddr . ip saddr . ip daddr
		elements = { 10.254.0.10 . 10.244.1.2 . 10.244.1.2, 10.254.0.10 . 10.244.1.3 . 10.244.1.3, 10.254.0.10 . 10.244.1.4 . 10.244.1.4 }
	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
	}

	set no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service
	}

	map nodeport-backends-3 {
		typeof meta l4proto . th dport . numgen random mod 3 : ip daddr . th dport
	}

	set nodeports {
		type inet_proto . inet_service
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-chain
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-chain
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
		ct original ip daddr . ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000
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
		ip daddr . meta l4proto . th dport @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @cluster-backends-3
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @nodeports jump mark-for-masquerade
		fib daddr type local ip daddr != 127.0.0.0/8 dnat ip to meta l4proto . th dport . numgen random mod 3 map @nodeport-backends-3
	}
}

"""),
    RenderCase(
        testDescription: "a named target port DNATs to the pod's container port of that name",
        services: [Fixtures.redisSlaveNamedPort],
        expected: """
table ip clc-proxy {
	map cluster-backends-1 {
		typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
		elements = { 10.254.0.20 . tcp . 6379 . 0 : 10.244.1.5 . 6380 }
	}

	set cluster-ips {
		type ipv4_addr . inet_proto . inet_service
		elements = { 10.254.0.20 . tcp . 6379 }
	}

	set hairpin {
		typeof ct original ip daddr . ip saddr . ip daddr
		elements = { 10.254.0.20 . 10.244.1.5 . 10.244.1.5 }
	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
	}

	set no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service
	}

	map nodeport-backends-1 {
		typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
	}

	set nodeports {
		type inet_proto . inet_service
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-chain
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-chain
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
		ct original ip daddr . ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000
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
		ip daddr . meta l4proto . th dport @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 1 map @cluster-backends-1
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @nodeports jump mark-for-masquerade
		fib daddr type local ip daddr != 127.0.0.0/8 dnat ip to meta l4proto . th dport . numgen random mod 1 map @nodeport-backends-1
	}
}

"""),
    RenderCase(
        testDescription: "a NodePort (30001) is marked for masquerade and has slots of its own",
        services: [Fixtures.frontend],
        expected: """
table ip clc-proxy {
	map cluster-backends-1 {
		typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
		elements = { 10.254.0.30 . tcp . 80 . 0 : 10.244.1.7 . 80 }
	}

	set cluster-ips {
		type ipv4_addr . inet_proto . inet_service
		elements = { 10.254.0.30 . tcp . 80 }
	}

	set hairpin {
		typeof ct original ip daddr . ip saddr . ip daddr
		elements = { 10.254.0.30 . 10.244.1.7 . 10.244.1.7 }
	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
	}

	set no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service
	}

	map nodeport-backends-1 {
		typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
		elements = { tcp . 30001 . 0 : 10.244.1.7 . 80 }
	}

	set nodeports {
		type inet_proto . inet_service
		elements = { tcp . 30001 }
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-chain
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-chain
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
		ct original ip daddr . ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000
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
		ip daddr . meta l4proto . th dport @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 1 map @cluster-backends-1
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @nodeports jump mark-for-masquerade
		fib daddr type local ip daddr != 127.0.0.0/8 dnat ip to meta l4proto . th dport . numgen random mod 1 map @nodeport-backends-1
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

	set cluster-ips {
		type ipv4_addr . inet_proto . inet_service
	}

	set hairpin {
		typeof ct original ip daddr . ip saddr . ip daddr
	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
	}

	set no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service
	}

	set nodeports {
		type inet_proto . inet_service
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
		ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-chain
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-chain
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
		ct original ip daddr . ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000
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
		ip daddr . meta l4proto . th dport @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @nodeports jump mark-for-masquerade
	}
}

"""),
    RenderCase(
        testDescription: "TCP and UDP on one service get slots each",
        services: [Fixtures.dns],
        expected: """
table ip clc-proxy {
	map cluster-backends-1 {
		typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
		elements = { 10.254.0.2 . tcp . 53 . 0 : 10.244.1.9 . 53, 10.254.0.2 . udp . 53 . 0 : 10.244.1.9 . 53 }
	}

	set cluster-ips {
		type ipv4_addr . inet_proto . inet_service
		elements = { 10.254.0.2 . tcp . 53, 10.254.0.2 . udp . 53 }
	}

	set hairpin {
		typeof ct original ip daddr . ip saddr . ip daddr
		elements = { 10.254.0.2 . 10.244.1.9 . 10.244.1.9 }
	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
	}

	set no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service
	}

	map nodeport-backends-1 {
		typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport
	}

	set nodeports {
		type inet_proto . inet_service
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
	}

	chain endpoints-check {
		ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-chain
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-chain
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
		ct original ip daddr . ip saddr . ip daddr @hairpin meta mark set meta mark | 0x00004000
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
		ip daddr . meta l4proto . th dport @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade
		dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 1 map @cluster-backends-1
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @nodeports jump mark-for-masquerade
		fib daddr type local ip daddr != 127.0.0.0/8 dnat ip to meta l4proto . th dport . numgen random mod 1 map @nodeport-backends-1
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
        let dispatch = try #require(Ruleset.services(for: state).chains[ProxyNames.services]).rules.map { $0.render() }
        #expect(dispatch.contains("ip daddr . meta l4proto . th dport @cluster-ips jump mark-for-masquerade"))
        #expect(!dispatch.contains { $0.contains("ip saddr") })
        var sticky = Fixtures.redisMaster(endpoints: 1, affinity: .clientIP(timeoutSeconds: 10800))
        sticky.name = "sticky"
        let affinity = ServiceProxyState(services: [sticky], node: ProxyNodeSettings(masqueradeAll: true))
        let chain = try #require(Ruleset.services(for: affinity).chains["service-\(ProxyNames.servicePortBase(sticky, sticky.ports[0]))"])
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
