import RouteNetlink
import ServiceProxy
import Testing

@testable import FlannelBackend

@Suite("flannel's ip-masq rules")
struct IPMasqRulesTests {
    @Test("the table holds flannel's FLANNEL-POSTRTG rules, the proxy's mark first")
    func render() {
        let ruleset = IPMasqRules.ruleset(network: Fixtures.network, lease: Fixtures.local.subnet)
        #expect(ruleset.render() == """
            table ip clc-flannel {
            \tchain postrouting {
            \t\ttype nat hook postrouting priority srcnat; policy accept;
            \t\tmeta mark & 0x00004000 == 0x00004000 return
            \t\tip saddr 10.1.15.0/24 ip daddr 10.1.0.0/16 return
            \t\tip saddr 10.1.0.0/16 ip daddr 10.1.15.0/24 return
            \t\tip saddr != 10.1.0.0/16 ip daddr 10.1.15.0/24 return
            \t\tip saddr 10.1.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random
            \t\tip saddr != 10.1.0.0/16 ip daddr 10.1.0.0/16 masquerade fully-random
            \t}
            }

            """)
    }
}
