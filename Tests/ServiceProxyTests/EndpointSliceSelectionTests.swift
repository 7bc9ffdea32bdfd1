import Foundation
import KubeAPI
import Logging
import Testing

@testable import ServiceProxy

/// kube-proxy's choice of backends from EndpointSlices (REFERENCE 12), as a table: slices in,
/// backends per service port out.
@Suite("the proxy's backends from EndpointSlices")
struct EndpointSliceSelectionTests {
    static let web = Service(
        metadata: ObjectMeta(name: "web", namespace: "shop"),
        spec: ServiceSpec(
            clusterIP: "10.254.3.4",
            ports: [ServicePort(name: "http", port: 80, targetPort: 8080), ServicePort(name: "dns", protocol: "UDP", port: 53)],
            selector: ["app": "web"]))

    static func endpoint(
        _ ip: String, ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil, pod: String? = nil
    ) -> EndpointSliceEndpoint {
        let conditions = ready == nil && serving == nil && terminating == nil
            ? nil : EndpointConditions(ready: ready, serving: serving, terminating: terminating)
        return EndpointSliceEndpoint(
            addresses: [ip], conditions: conditions, targetRef: pod.map { ObjectReference(kind: "Pod", name: $0) })
    }

    static func slice(_ endpoints: [EndpointSliceEndpoint]) -> EndpointSlice {
        slice("web-abc12", endpoints)
    }

    static func slice(
        _ name: String, service: String? = "web", namespace: String = "shop", addressType: String = "IPv4",
        ports: [EndpointSlicePort] = [EndpointSlicePort(name: "http", port: 8080)], _ endpoints: [EndpointSliceEndpoint]
    ) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(
                name: name, namespace: namespace,
                labels: service.map { [EndpointSlice.serviceNameLabel: $0, EndpointSlice.managedByLabel: EndpointSlice.controllerName] }),
            addressType: addressType, endpoints: endpoints, ports: ports)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var slices: [EndpointSlice]
        /// Backends of port `http` as `ip:port`, sorted.
        var http: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "ready endpoints are the backends", slices: [slice([endpoint("10.244.1.2", ready: true), endpoint("10.244.1.3", ready: true)])],
             http: ["10.244.1.2:8080", "10.244.1.3:8080"]),
        Case(name: "absent conditions mean ready", slices: [slice([endpoint("10.244.1.2")])], http: ["10.244.1.2:8080"]),
        Case(name: "a not-ready endpoint gets no traffic while another is ready",
             slices: [slice([endpoint("10.244.1.2", ready: true), endpoint("10.244.1.3", ready: false, serving: false)])],
             http: ["10.244.1.2:8080"]),
        Case(name: "serving terminating endpoints are not used while one is ready",
             slices: [slice([endpoint("10.244.1.2", ready: true),
                             endpoint("10.244.1.3", ready: false, serving: true, terminating: true)])],
             http: ["10.244.1.2:8080"]),
        Case(name: "with none ready, serving terminating endpoints are the fallback",
             slices: [slice([endpoint("10.244.1.3", ready: false, serving: true, terminating: true),
                             endpoint("10.244.1.4", ready: false, serving: false, terminating: true),
                             endpoint("10.244.1.5", ready: false, serving: false, terminating: false)])],
             http: ["10.244.1.3:8080"]),
        Case(name: "with none ready and none serving, there is no backend",
             slices: [slice([endpoint("10.244.1.4", ready: false, serving: false, terminating: true)])], http: []),
        Case(name: "several slices of one service are joined",
             slices: [slice("web-1", [endpoint("10.244.1.2")]), slice("web-2", [endpoint("10.244.2.2")])],
             http: ["10.244.1.2:8080", "10.244.2.2:8080"]),
        Case(name: "an address in two slices counts once, its ready copy winning",
             slices: [slice("web-1", [endpoint("10.244.1.2", ready: false, serving: false)]), slice("web-2", [endpoint("10.244.1.2", ready: true)])],
             http: ["10.244.1.2:8080"]),
        Case(name: "slices of another service or namespace, or without the label, are not joined",
             slices: [slice("other-1", service: "other", [endpoint("10.244.9.1")]),
                      slice("web-x", namespace: "default", [endpoint("10.244.9.2")]),
                      slice("web-y", service: nil, [endpoint("10.244.9.3")])],
             http: []),
        Case(name: "IPv6 and FQDN slices are skipped",
             slices: [slice("web-6", addressType: "IPv6", [endpoint("fd00::2")]), slice("web-f", addressType: "FQDN", [endpoint("example.com")]),
                      slice("web-4", [endpoint("10.244.1.2")])],
             http: ["10.244.1.2:8080"]),
        Case(name: "a slice port is matched to the service port by name and protocol",
             slices: [slice("web-p", ports: [EndpointSlicePort(name: "http", protocol: "UDP", port: 8080), EndpointSlicePort(name: "metrics", port: 9100),
                                    EndpointSlicePort(name: "http", port: 8081)], [endpoint("10.244.1.2")])],
             http: ["10.244.1.2:8081"]),
    ]

    @Test("backends of a service port", arguments: cases)
    func backends(_ testCase: Case) throws {
        let state = ServiceProxyState(services: [Self.web], endpointSlices: testCase.slices, node: Fixtures.node)
        let service = try #require(state.services.first)
        let http = (service.endpoints["http"] ?? []).map { "\($0.ip):\($0.port)" }
        #expect(http == testCase.http)
    }

    @Test("each port falls back on its own, and a pod name comes from the target reference")
    func portsFallBackAlone() throws {
        let slices = [
            Self.slice("web-http", [Self.endpoint("10.244.1.2", ready: true, pod: "web-1")]),
            Self.slice(
                "web-dns", ports: [EndpointSlicePort(name: "dns", protocol: "UDP", port: 53)],
                [Self.endpoint("10.244.1.3", ready: false, serving: true, terminating: true, pod: "web-2")]),
        ]
        let service = try #require(ProxiedService(service: Self.web, slices: slices))
        #expect(
            service.endpoints == [
                "http": [.init(ip: Fixtures.ip("10.244.1.2"), port: 8080, podName: "web-1")],
                "dns": [.init(ip: Fixtures.ip("10.244.1.3"), port: 53, podName: "web-2")],
            ])
    }

    @Test("a slice decodes from the API server's JSON, its null endpoints as none")
    func decodes() throws {
        let json = """
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-x7k2p","namespace":"shop",
            "labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4","endpoints":[{"addresses":["10.1.15.7"],
            "conditions":{"ready":true,"serving":true,"terminating":false},"nodeName":"node1",
            "targetRef":{"kind":"Pod","namespace":"shop","name":"web-1","uid":"u1"}}],
            "ports":[{"name":"http","protocol":"TCP","port":8080}]}
            """
        let slice = try JSONDecoder().decode(EndpointSlice.self, from: Data(json.utf8))
        #expect(slice.serviceName == "web")
        #expect(slice.endpoints.first?.isReady == true)
        #expect(slice.endpoints.first?.nodeName == "node1")
        let empty = try JSONDecoder().decode(
            EndpointSlice.self, from: Data(#"{"metadata":{"name":"e"},"addressType":"IPv4","endpoints":null}"#.utf8))
        #expect(empty.endpoints.isEmpty)
    }

    @Test("with slices from the master, the controller serves them and ignores v1 Endpoints")
    func controllerUsesSlices() async throws {
        let (controller, writer, _, task) = ServiceProxyControllerTests.running(endpointsFromMaster: true)
        defer { task.cancel() }
        await controller.update(services: [ServiceProxyControllerTests.frontendService])
        let slice = EndpointSlice(
            metadata: ObjectMeta(name: "frontend-a1b2c", namespace: "default", labels: [EndpointSlice.serviceNameLabel: "frontend"]),
            endpoints: [EndpointSliceEndpoint(addresses: ["10.244.1.7"], conditions: EndpointConditions(ready: true))],
            ports: [EndpointSlicePort(name: "", port: 80)])
        await controller.update(endpointSlices: [slice])
        #expect(await ServiceProxyControllerTests.waitFor { writer.applied.count == 1 })
        #expect(writer.applied[0].sendsBackend("10.244.1.7", 80))
        await controller.update(endpoints: [ServiceProxyControllerTests.frontendEndpoints(["10.244.1.8"])])
        try await Task.sleep(for: .milliseconds(200))
        #expect(!writer.applied.contains { $0.operations.contains { $0.description.contains("10.244.1.8") } })
    }
}
