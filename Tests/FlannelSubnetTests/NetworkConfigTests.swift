@testable import FlannelSubnet
import Testing

@Suite("Network config")
struct NetworkConfigTests {
    @Test("a /16 with only Network and Backend gets flannel's defaults: /24 subnets from the second to the last")
    func defaults() throws {
        let config = try Fixtures.config(Fixtures.hostGWConfig)
        #expect(config.network == Fixtures.subnet("10.1.0.0/16"))
        #expect(config.subnetLength == 24)
        #expect(config.subnetMin == Fixtures.ip("10.1.1.0"))
        #expect(config.subnetMax == Fixtures.ip("10.1.255.0"))
        #expect(config.backend == .hostGateway)
    }

    @Test("keys match case-insensitively, as Magnum's \"Subnetlen\" needs")
    func caseInsensitiveKeys() throws {
        let config = try Fixtures.config(#"{"network":"10.2.0.0/16","Subnetlen":26,"SUBNETMIN":"10.2.0.64","backend":{"type":"vxlan","vni":7,"port":4789,"mtu":1400,"gbp":true,"directrouting":true}}"#)
        #expect(config.subnetLength == 26)
        #expect(config.subnetMin == Fixtures.ip("10.2.0.64"))
        #expect(config.subnetMax == Fixtures.ip("10.2.255.192"))
        #expect(config.backend == .vxlan(VXLANSettings(vni: 7, port: 4789, mtu: 1400, gbp: true, directRouting: true)))
    }

    @Test("vxlan without keys is VNI 1 on the kernel's port, MTU left to the backend")
    func vxlanDefaults() throws {
        let config = try Fixtures.config(#"{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan"}}"#)
        #expect(config.backend == .vxlan(VXLANSettings()))
        guard case let .vxlan(settings) = config.backend else { return }
        #expect(settings.deviceName == "flannel.1")
        #expect(BackendPreparation.defaults(for: config).mtu == 1450)
    }

    @Test(
        "networks smaller than /22 are cut in four (length + 2)",
        arguments: [("10.1.0.0/22", 24), ("10.1.0.0/23", 25), ("10.1.0.0/24", 26), ("10.1.0.0/28", 30)])
    func smallNetworks(network: String, length: Int) throws {
        let config = try Fixtures.config(#"{"Network":"\#(network)","Backend":{"Type":"host-gw"}}"#)
        #expect(config.subnetLength == length)
    }

    @Test(
        "invalid configs name the field",
        arguments: [
            (#"{"Backend":{"Type":"host-gw"}}"#, NetworkConfigError.missing(field: "Network")),
            (#"{"Network":"10.1.0.0","Backend":{"Type":"host-gw"}}"#,
             .invalid(field: "Network", value: "\"10.1.0.0\"", reason: "not an IPv4 network in CIDR form (10.1.0.0/16)")),
            (#"{"Network":"10.1.0.0/29","Backend":{"Type":"host-gw"}}"#,
             .invalid(field: "Network", value: "10.1.0.0/29", reason: "network is too small; the minimum useful prefix is /28")),
            (#"{"Network":"10.1.0.0/16","SubnetLen":31,"Backend":{"Type":"host-gw"}}"#,
             .invalid(field: "SubnetLen", value: "31", reason: "must be less than /31 (a bridge and a gateway need room)")),
            (#"{"Network":"10.1.0.0/16","SubnetLen":"24","Backend":{"Type":"host-gw"}}"#,
             .invalid(field: "SubnetLen", value: "\"24\"", reason: "not a prefix length (0-32)")),
            (#"{"Network":"10.1.0.0/16","SubnetMin":"10.2.0.0","Backend":{"Type":"host-gw"}}"#,
             .invalid(field: "SubnetMin", value: "10.2.0.0", reason: "is not in the range of the Network 10.1.0.0/16")),
            (#"{"Network":"10.1.0.0/16","SubnetMax":"10.1.5.7","Backend":{"Type":"host-gw"}}"#,
             .invalid(field: "SubnetMax", value: "10.1.5.7", reason: "not on a SubnetLen (/24) boundary")),
            (#"{"Network":"10.1.0.0/16","Backend":{}}"#, .missing(field: "Backend.Type")),
            (#"{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan","VNI":"1"}}"#,
             .invalid(field: "Backend.VNI", value: "\"1\"", reason: "not an integer in 0...16777215")),
        ])
    func invalid(json: String, expected: NetworkConfigError) {
        #expect(throws: expected) { try NetworkConfig.parse(Array(json.utf8)) }
    }

    @Test("SubnetLen must leave room for four subnets")
    func fourSubnets() {
        #expect(throws: NetworkConfigError.self) {
            try Fixtures.config(#"{"Network":"10.1.0.0/16","SubnetLen":17,"Backend":{"Type":"host-gw"}}"#)
        }
        do {
            _ = try Fixtures.config(#"{"Network":"10.1.0.0/16","SubnetLen":17,"Backend":{"Type":"host-gw"}}"#)
        } catch {
            #expect(error.description.contains("SubnetLen 17"))
            #expect(error.description.contains("at least four subnets"))
        }
    }

    @Test("udp is refused with the reason, also when Backend is absent (flannel's udp default)")
    func udpRefused() {
        for json in [#"{"Network":"10.1.0.0/16","Backend":{"Type":"udp"}}"#, #"{"Network":"10.1.0.0/16"}"#] {
            do {
                _ = try Fixtures.config(json)
                Issue.record("accepted \(json)")
            } catch {
                guard case let .unsupportedBackend(type, reason) = error else { Issue.record("\(error)"); continue }
                #expect(type == "udp")
                #expect(reason.contains("userspace"))
                #expect(reason.contains("vxlan"))
                #expect(error.description.hasPrefix("network config: Backend.Type \"udp\""))
            }
        }
    }

    @Test("a document that is not JSON says so")
    func notJSON() {
        #expect {
            try Fixtures.config("Network=10.1.0.0/16")
        } throws: { error in
            guard case .notJSON = error as? NetworkConfigError else { return false }
            return true
        }
    }
}
