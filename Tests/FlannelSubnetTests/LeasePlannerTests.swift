@testable import FlannelSubnet
import Testing

@Suite("Lease planner")
struct LeasePlannerTests {
    let config = try! Fixtures.config(Fixtures.hostGWConfig)
    let ours = Fixtures.ip("192.168.1.5")

    @Test("the lease that holds our PublicIP is reused")
    func reuseByPublicIP() throws {
        let mine = Fixtures.lease("10.1.9.0/24", "192.168.1.5")
        let plan = try LeasePlanner.plan(
            config: config, leases: [Fixtures.lease("10.1.3.0/24", "192.168.1.6"), mine], publicIP: ours, previous: Fixtures.subnet("10.1.4.0/24"))
        #expect(plan.action == .reuse(mine))
        #expect(plan.deleteIncompatible == nil)
    }

    @Test("our lease outside the config is deleted and the previous subnet taken")
    func incompatibleLease() throws {
        let stale = Fixtures.lease("10.1.9.0/26", "192.168.1.5")
        let plan = try LeasePlanner.plan(config: config, leases: [stale], publicIP: ours, previous: Fixtures.subnet("10.1.4.0/24"))
        #expect(plan.deleteIncompatible == stale)
        #expect(plan.action == .create(Fixtures.subnet("10.1.4.0/24"), origin: .previous))
    }

    @Test("the previous subnet is taken when free, not when another node holds it")
    func previousSubnet() throws {
        let free = try LeasePlanner.plan(config: config, leases: [], publicIP: ours, previous: Fixtures.subnet("10.1.15.0/24"))
        #expect(free.action == .create(Fixtures.subnet("10.1.15.0/24"), origin: .previous))
        let taken = try LeasePlanner.plan(
            config: config, leases: [Fixtures.lease("10.1.15.0/24", "192.168.1.9")], publicIP: ours, previous: Fixtures.subnet("10.1.15.0/24"),
            random: { _ in 0 })
        #expect(taken.action == .create(Fixtures.subnet("10.1.1.0/24"), origin: .random))
        #expect(taken.previousIgnored?.contains("leased by another node") == true)
    }

    @Test("a random subnet is one of the first 100 free ones from SubnetMin, skipping leased ones")
    func randomAmongFree() throws {
        let leases = [Fixtures.lease("10.1.1.0/24", "1.1.1.1"), Fixtures.lease("10.1.2.0/23", "1.1.1.2")]
        let free = LeasePlanner.freeSubnets(config: config, leases: leases, limit: 100)
        #expect(free.count == 100)
        #expect(free.first == Fixtures.subnet("10.1.4.0/24"))
        #expect(free.last == Fixtures.subnet("10.1.103.0/24"))
        var asked: Int?
        let plan = try LeasePlanner.plan(config: config, leases: leases, publicIP: ours, previous: nil) { n in
            asked = n
            return 5
        }
        #expect(asked == 100)
        #expect(plan.action == .create(Fixtures.subnet("10.1.9.0/24"), origin: .random))
    }

    @Test("no free subnet is the named error out of subnets")
    func outOfSubnets() throws {
        let small = try Fixtures.config(#"{"Network":"10.1.0.0/16","SubnetMin":"10.1.7.0","SubnetMax":"10.1.8.0","Backend":{"Type":"host-gw"}}"#)
        let leases = [Fixtures.lease("10.1.7.0/24", "1.1.1.1"), Fixtures.lease("10.1.8.0/24", "1.1.1.2")]
        #expect(throws: LeasePlanError.outOfSubnets(
            network: Fixtures.subnet("10.1.0.0/16"), subnetMin: Fixtures.ip("10.1.7.0"), subnetMax: Fixtures.ip("10.1.8.0"),
            subnetLength: 24, leased: 2)
        ) {
            try LeasePlanner.plan(config: small, leases: leases, publicIP: ours, previous: nil)
        }
        #expect(LeasePlanError.outOfSubnets(
            network: Fixtures.subnet("10.1.0.0/16"), subnetMin: Fixtures.ip("10.1.7.0"), subnetMax: Fixtures.ip("10.1.8.0"),
            subnetLength: 24, leased: 2).description.hasPrefix("out of subnets"))
    }

    @Test("lease keys read and write as flannel's a.b.c.d-len")
    func leaseKeys() {
        #expect(Fixtures.subnet("10.1.15.0/24").leaseKeyName == "10.1.15.0-24")
        #expect(IPv4Subnet(leaseKeyName: "10.1.15.0-24") == Fixtures.subnet("10.1.15.0/24"))
        #expect(IPv4Subnet(leaseKeyName: "10.1.15.0-24&fc00::-64") == Fixtures.subnet("10.1.15.0/24"))
        #expect(IPv4Subnet(leaseKeyName: "10.1.15.1-24") == nil)
        #expect(IPv4Subnet(leaseKeyName: "config") == nil)
    }

    @Test("lease values are flannel's JSON, read case-insensitively")
    func leaseValues() throws {
        let attributes = LeaseAttributes(
            publicIP: Fixtures.ip("192.168.1.5"), backendType: "vxlan",
            backendData: .object(["VNI": .number(1), "VtepMAC": .string("aa:bb:cc:dd:ee:ff")]))
        #expect(attributes.json == #"{"PublicIP":"192.168.1.5","BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}}"#)
        #expect(try LeaseAttributes.parse(Array(attributes.json.utf8)) == attributes)
        let old = try LeaseAttributes.parse(Array(#"{"publicip":"10.0.0.2","backendtype":"host-gw","PublicIPv6":null}"#.utf8))
        #expect(old == LeaseAttributes(publicIP: Fixtures.ip("10.0.0.2"), backendType: "host-gw"))
    }
}
