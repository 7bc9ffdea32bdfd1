import KubeAPI
import Testing

@Suite("Validating services as the API server does")
struct ServiceValidationTests {
    func service(type: String = "NodePort", _ ports: [ServicePort]) -> Service {
        Service(metadata: ObjectMeta(name: "web", namespace: "shop"), spec: ServiceSpec(type: type, ports: ports))
    }

    @Test("a nodePort in the default range 30000-32767 is valid")
    func validNodePort() {
        #expect(service([ServicePort(port: 80, nodePort: 30080)]).validationErrors().isEmpty)
        #expect(service([ServicePort(port: 80, nodePort: 32767)]).validationErrors().isEmpty)
    }

    @Test("a nodePort outside the range, such as 22, is refused naming the field and the range")
    func nodePortOutOfRange() throws {
        let errors = service([ServicePort(port: 80, nodePort: 22)]).validationErrors()
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.field == "spec.ports[0].nodePort")
        #expect(error.description.contains("\"22\""))
        #expect(error.description.contains("30000-32767"))
    }

    @Test("a configured range replaces the default")
    func configuredRange() throws {
        let range = try #require(NodePortRange.parse("20000-20100"))
        #expect(service([ServicePort(port: 80, nodePort: 20050)]).validationErrors(nodePortRange: range).isEmpty)
        #expect(!service([ServicePort(port: 80, nodePort: 30080)]).validationErrors(nodePortRange: range).isEmpty)
    }

    @Test("malformed node port ranges do not parse", arguments: ["", "30000", "32767-30000", "0-100", "1-70000", "a-b"])
    func badRanges(_ text: String) {
        #expect(NodePortRange.parse(text) == nil)
    }

    @Test("a nodePort on a ClusterIP service is forbidden")
    func nodePortOnClusterIP() {
        let errors = service(type: "ClusterIP", [ServicePort(port: 80, nodePort: 30080)]).validationErrors()
        #expect(errors.map(\.field) == ["spec.ports[0].nodePort"])
        #expect(errors.first?.kind == .forbidden)
    }

    @Test("ports repeat neither port and protocol nor nodePort, and several ports need distinct names")
    func uniqueness() {
        let errors = service([
            ServicePort(name: "a", port: 80, nodePort: 30080),
            ServicePort(name: "b", port: 80, nodePort: 30080),
            ServicePort(name: "b", protocol: "UDP", port: 80, nodePort: 30080),
            ServicePort(port: 81),
        ]).validationErrors()
        #expect(
            errors.map(\.field) == [
                "spec.ports[1]", "spec.ports[1].nodePort", "spec.ports[2].name", "spec.ports[3].name",
            ])
    }

    @Test("ports and protocols out of their ranges are refused", arguments: [Int32(0), 65536])
    func portRange(_ port: Int32) {
        #expect(service(type: "ClusterIP", [ServicePort(port: port)]).validationErrors().map(\.field) == ["spec.ports[0].port"])
        #expect(
            service(type: "ClusterIP", [ServicePort(protocol: "ICMP", port: 80)]).validationErrors().map(\.field) == ["spec.ports[0].protocol"])
    }
}
