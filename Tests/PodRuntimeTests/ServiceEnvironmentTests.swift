import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("Service environment variables")
struct ServiceEnvironmentTests {
    /// The guestbook's three services with the cluster IPs the allocator might give them.
    func guestbookServices() throws -> [Service] {
        let addresses = ["frontend": "10.254.0.10", "redis-master": "10.254.0.11", "redis-slave": "10.254.0.12"]
        return try ["frontend-service.json", "redis-master-service.json", "redis-slave-service.json"].map { file in
            guard case var .service(service) = try #require(try TestFixtures.guestbook(file).first) else {
                throw ServiceFixtureError(file: file)
            }
            service = service.withDefaults()
            service.spec.clusterIP = addresses[service.metadata.name ?? ""]
            return service
        }
    }

    struct ServiceFixtureError: Error { var file: String }

    func render(_ variables: [(String, String)]) -> String {
        variables.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
    }

    @Test("the guestbook's services give the host, port and Docker-link variables the frontend reads")
    func guestbook() throws {
        let variables = ServiceEnvironment.variables(for: try guestbookServices(), namespace: "default")
        #expect(
            render(variables) == """
                FRONTEND_SERVICE_HOST=10.254.0.10
                FRONTEND_SERVICE_PORT=80
                FRONTEND_PORT=tcp://10.254.0.10:80
                FRONTEND_PORT_80_TCP=tcp://10.254.0.10:80
                FRONTEND_PORT_80_TCP_PROTO=tcp
                FRONTEND_PORT_80_TCP_PORT=80
                FRONTEND_PORT_80_TCP_ADDR=10.254.0.10
                REDIS_MASTER_SERVICE_HOST=10.254.0.11
                REDIS_MASTER_SERVICE_PORT=6379
                REDIS_MASTER_PORT=tcp://10.254.0.11:6379
                REDIS_MASTER_PORT_6379_TCP=tcp://10.254.0.11:6379
                REDIS_MASTER_PORT_6379_TCP_PROTO=tcp
                REDIS_MASTER_PORT_6379_TCP_PORT=6379
                REDIS_MASTER_PORT_6379_TCP_ADDR=10.254.0.11
                REDIS_SLAVE_SERVICE_HOST=10.254.0.12
                REDIS_SLAVE_SERVICE_PORT=6379
                REDIS_SLAVE_PORT=tcp://10.254.0.12:6379
                REDIS_SLAVE_PORT_6379_TCP=tcp://10.254.0.12:6379
                REDIS_SLAVE_PORT_6379_TCP_PROTO=tcp
                REDIS_SLAVE_PORT_6379_TCP_PORT=6379
                REDIS_SLAVE_PORT_6379_TCP_ADDR=10.254.0.12
                """)
    }

    @Test("named ports get their own _SERVICE_PORT_<NAME> variables and each port its link variables")
    func namedPorts() {
        let service = Service(
            metadata: ObjectMeta(name: "my-app", namespace: "default"),
            spec: ServiceSpec(
                clusterIP: "10.254.3.4",
                ports: [ServicePort(name: "http", port: 80), ServicePort(name: "dns-udp", protocol: "UDP", port: 53)]))
        let variables = Dictionary(ServiceEnvironment.variables(for: [service], namespace: "default"), uniquingKeysWith: { $1 })
        #expect(variables["MY_APP_SERVICE_PORT"] == "80")
        #expect(variables["MY_APP_SERVICE_PORT_HTTP"] == "80")
        #expect(variables["MY_APP_SERVICE_PORT_DNS_UDP"] == "53")
        #expect(variables["MY_APP_PORT_53_UDP"] == "udp://10.254.3.4:53")
        #expect(variables["MY_APP_PORT_53_UDP_PROTO"] == "udp")
    }

    @Test("services of another namespace are not visible, except the master's kubernetes service")
    func otherNamespaces() {
        let services = [
            Service(metadata: ObjectMeta(name: "cache", namespace: "team-b"), spec: ServiceSpec(clusterIP: "10.254.0.20", ports: [ServicePort(port: 11211)])),
            Service(metadata: ObjectMeta(name: "kubernetes", namespace: "default"), spec: ServiceSpec(clusterIP: "10.254.0.1", ports: [ServicePort(name: "https", port: 443)])),
            Service(metadata: ObjectMeta(name: "web", namespace: "default"), spec: ServiceSpec(clusterIP: "10.254.0.30", ports: [ServicePort(port: 80)])),
        ]
        let names = Set(ServiceEnvironment.variables(for: services, namespace: "team-a").map(\.0))
        #expect(names.contains("KUBERNETES_SERVICE_HOST"))
        #expect(!names.contains { $0.hasPrefix("CACHE_") })
        #expect(!names.contains { $0.hasPrefix("WEB_") })
    }

    @Test("headless services and services without a cluster IP give no variables")
    func headless() {
        let services = [
            Service(metadata: ObjectMeta(name: "headless", namespace: "default"), spec: ServiceSpec(clusterIP: "None", ports: [ServicePort(port: 80)])),
            Service(metadata: ObjectMeta(name: "pending", namespace: "default"), spec: ServiceSpec(ports: [ServicePort(port: 80)])),
        ]
        #expect(ServiceEnvironment.variables(for: services, namespace: "default").isEmpty)
    }
}
