@testable import FlannelSubnet
import Testing

@Suite("Config lookup messages")
struct ConfigLookupTests {
    let key = "/coreos.com/network/config"

    @Test("auto: missing under both APIs says so")
    func missingUnderBoth() {
        let lookup = ConfigLookup(key: key, selected: [(.v3, .absent), (.v2, .absent)])
        #expect(lookup.found == nil)
        #expect(lookup.missingMessage == "/coreos.com/network/config does not exist under the etcd v3 and v2 APIs")
    }

    @Test("--etcd-api v3 with the config written under v2 says where it is")
    func underTheOtherAPI() {
        let lookup = ConfigLookup(key: key, selected: [(.v3, .absent)], others: [(.v2, .found([]))])
        #expect(lookup.missingMessage
            == "/coreos.com/network/config does not exist under the etcd v3 API; it exists under the etcd v2 API, which --etcd-api v3 excludes (use --etcd-api v2 or auto)")
    }

    @Test("--etcd-api v2, missing under both, and a failing API")
    func failures() {
        #expect(ConfigLookup(key: key, selected: [(.v2, .absent)], others: [(.v3, .absent)]).missingMessage
            == "/coreos.com/network/config does not exist under the etcd v2 API; nor under the etcd v3 API")
        #expect(ConfigLookup(key: key, selected: [(.v3, .absent), (.v2, .failed("v2 not served"))]).missingMessage
            == "/coreos.com/network/config does not exist under the etcd v3 API; cannot read /coreos.com/network/config under the etcd v2 API: v2 not served")
    }

    @Test("auto takes v3 first")
    func v3First() {
        let lookup = ConfigLookup(key: key, selected: [(.v3, .found([1])), (.v2, .found([2]))])
        #expect(lookup.found?.api == .v3)
    }
}
