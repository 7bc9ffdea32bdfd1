import KubeAPI
import Testing

@testable import ServiceProxy
import IPv4

@Suite("the proxy's view of services and endpoints")
struct ServiceModelTests {
    private let web = Service(
        metadata: ObjectMeta(name: "web", namespace: "shop"),
        spec: ServiceSpec(
            type: "NodePort", clusterIP: "10.254.3.4",
            ports: [
                ServicePort(name: "http", port: 80, targetPort: 8080, nodePort: 30080),
                ServicePort(name: "dns", protocol: "UDP", port: 53),
                ServicePort(name: "sctp", protocol: "SCTP", port: 9),
            ],
            selector: ["app": "web"], sessionAffinity: "ClientIP"))

    @Test("endpoints are matched to ports by name and protocol, and only ready addresses count")
    func fromEndpoints() throws {
        let endpoints = Endpoints(
            metadata: ObjectMeta(name: "web", namespace: "shop"),
            subsets: [
                EndpointSubset(
                    addresses: [EndpointAddress(ip: "10.244.1.2", targetRef: ObjectReference(kind: "Pod", name: "web-1"))],
                    notReadyAddresses: [EndpointAddress(ip: "10.244.1.3")],
                    ports: [
                        EndpointPort(name: "http", port: 8080), EndpointPort(name: "dns", port: 53, protocol: "UDP"),
                        EndpointPort(name: "http", port: 8081, protocol: "UDP"), EndpointPort(name: "metrics", port: 9100),
                    ])
            ])
        let service = try #require(ProxiedService(service: web, endpoints: endpoints))
        #expect(service.clusterIP == Fixtures.ip("10.254.3.4"))
        #expect(
            service.ports == [
                .init(name: "http", port: 80, nodePort: 30080, targetPort: .number(8080)),
                .init(name: "dns", protocol: .udp, port: 53),
            ])
        #expect(service.sessionAffinity == .clientIP(timeoutSeconds: 10800))
        #expect(
            service.endpoints == [
                "http": [.init(ip: Fixtures.ip("10.244.1.2"), port: 8080, podName: "web-1")],
                "dns": [.init(ip: Fixtures.ip("10.244.1.2"), port: 53, podName: "web-1")],
            ])
    }

    @Test("a headless service has nothing to program")
    func headless() {
        var headless = web
        headless.spec.clusterIP = "None"
        #expect(ProxiedService(service: headless, endpoints: nil) == nil)
    }

    @Test("a ClusterIP service keeps no NodePort even when one is written")
    func clusterIPIgnoresNodePort() throws {
        var clusterIPOnly = web
        clusterIPOnly.spec.type = "ClusterIP"
        #expect(try #require(ProxiedService(service: clusterIPOnly, endpoints: nil)).ports[0].nodePort == nil)
    }

    @Test("services and endpoints pair up by namespace and name")
    func stateFromObjects() {
        let other = Endpoints(metadata: ObjectMeta(name: "web", namespace: "default"), subsets: [
            EndpointSubset(addresses: [EndpointAddress(ip: "10.244.9.9")], ports: [EndpointPort(name: "http", port: 1)])
        ])
        let state = ServiceProxyState(services: [web], endpoints: [other], node: Fixtures.node)
        #expect(state.services.count == 1)
        #expect(state.services[0].endpoints.isEmpty)
    }

    private func pod(
        _ name: String, ip: String, ready: Bool = true, labels: [String: String] = ["app": "web"],
        ports: [ContainerPort] = [ContainerPort(name: "web", containerPort: 8080)]
    ) -> Pod {
        Pod(
            metadata: ObjectMeta(name: name, namespace: "shop", labels: labels),
            spec: PodSpec(containers: [Container(name: "app", ports: ports)]),
            status: PodStatus(conditions: [PodCondition(type: "Ready", status: ready ? "True" : "False")], podIP: ip))
    }

    @Test("endpoints from this node's pods: ready, selected, with the named port resolved per pod")
    func fromPods() throws {
        var named = web
        named.spec.ports = [ServicePort(name: "http", port: 80, targetPort: "web")]
        let pods = [
            pod("web-b", ip: "10.244.1.3", ports: [ContainerPort(name: "web", containerPort: 9090)]),
            pod("web-a", ip: "10.244.1.2"),
            pod("web-unready", ip: "10.244.1.4", ready: false),
            pod("other", ip: "10.244.1.5", labels: ["app": "other"]),
            pod("web-no-port", ip: "10.244.1.6", ports: []),
        ]
        let endpoints = EndpointsController.endpoints(for: named, pods: pods)
        let service = try #require(ProxiedService(service: named, endpoints: endpoints))
        #expect(
            service.endpoints["http"] == [
                .init(ip: Fixtures.ip("10.244.1.2"), port: 8080, podName: "web-a"),
                .init(ip: Fixtures.ip("10.244.1.3"), port: 9090, podName: "web-b"),
            ])
    }

    @Test("addresses and networks parse and print", arguments: ["10.254.0.10", "0.0.0.0", "255.255.255.255"])
    func addresses(_ text: String) {
        #expect(IPv4Address(text)?.description == text)
    }

    @Test("malformed addresses are refused", arguments: ["10.254.0", "10.254.0.256", "fe80::1", "1.2.3.4.5", ""])
    func badAddresses(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test("a CIDR clears its host bits and knows its members")
    func cidr() throws {
        let network = try #require(IPv4CIDR("10.244.7.1/16"))
        #expect(network.description == "10.244.0.0/16")
        #expect(network.contains(Fixtures.ip("10.244.200.3")))
        #expect(!network.contains(Fixtures.ip("10.245.0.1")))
    }
}

@Suite("services the proxy cannot serve")
struct ServiceProblemTests {
    @Test("a cluster IP that is not IPv4, an unsupported protocol and a port out of range are named with their field")
    func problemsNameTheField() {
        let services = [
            Service(metadata: ObjectMeta(name: "bad-ip", namespace: "default"), spec: ServiceSpec(clusterIP: "10.254.0.300", ports: [ServicePort(port: 80)])),
            Service(metadata: ObjectMeta(name: "sctp", namespace: "web"), spec: ServiceSpec(clusterIP: "10.254.0.5", ports: [ServicePort(port: 80), ServicePort(protocol: "SCTP", port: 9)])),
            Service(metadata: ObjectMeta(name: "huge", namespace: "default"), spec: ServiceSpec(clusterIP: "10.254.0.6", ports: [ServicePort(port: 70000)])),
            Service(metadata: ObjectMeta(name: "headless", namespace: "default"), spec: ServiceSpec(clusterIP: "None", ports: [ServicePort(port: 80)])),
        ]
        #expect(ServiceProxyState.problems(in: services) == [
            #"service default/bad-ip: spec.clusterIP "10.254.0.300" is not an IPv4 address; the service is not proxied"#,
            #"service web/sctp: spec.ports[1].protocol "SCTP" is not supported (TCP, UDP); the port is not proxied"#,
            "service default/huge: spec.ports[0].port 70000 is out of range; the port is not proxied",
        ])
    }
}
