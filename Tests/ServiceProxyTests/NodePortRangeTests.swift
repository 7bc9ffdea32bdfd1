import KubeAPI
import Testing

@testable import ServiceProxy

@Suite("NodePorts outside the node port range are never programmed")
struct NodePortRangeTests {
    let services = [
        Service(
            metadata: ObjectMeta(name: "ssh", namespace: "evil"),
            spec: ServiceSpec(type: "NodePort", clusterIP: "10.254.0.22", ports: [ServicePort(name: "ssh", port: 22, nodePort: 22)])),
        Service(
            metadata: ObjectMeta(name: "web", namespace: "shop"),
            spec: ServiceSpec(type: "NodePort", clusterIP: "10.254.0.80", ports: [ServicePort(name: "http", port: 80, nodePort: 30080)])),
    ]

    @Test("a master's Service with nodePort 22 keeps its cluster IP but loses the NodePort; one in range keeps it")
    func dropped() throws {
        let state = ServiceProxyState(services: services, endpoints: [], node: ProxyNodeSettings())
        let ssh = try #require(state.services.first { $0.name == "ssh" })
        let web = try #require(state.services.first { $0.name == "web" })
        #expect(ssh.ports.map(\.nodePort) == [nil])
        #expect(ssh.ports.map(\.port) == [22], "the cluster IP port stays")
        #expect(web.ports.map(\.nodePort) == [30080])
    }

    @Test("the problem names the service, the field and the range")
    func problemNamed() {
        #expect(
            ServiceProxyState.problems(in: services) == [
                "service evil/ssh: spec.ports[0].nodePort 22 is outside the node port range 30000-32767; the NodePort is not programmed"
            ])
    }

    @Test("a wider configured range lets the port through")
    func configured() throws {
        let state = ServiceProxyState(services: services, endpoints: [], node: ProxyNodeSettings(nodePortRange: 1...32767))
        #expect(try #require(state.services.first { $0.name == "ssh" }).ports.map(\.nodePort) == [22])
        #expect(ServiceProxyState.problems(in: services, nodePortRange: 1...32767).isEmpty)
    }
}
