import KubeAPI
import Testing

@testable import ServiceProxy

@Suite("the proxy's inputs, object by object")
struct ProxyInputsTests {
    static func service(_ name: String, ip: String, nodePort: Int32? = nil) -> Service {
        Service(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: ServiceSpec(
                type: nodePort == nil ? "ClusterIP" : "NodePort", clusterIP: ip, ports: [ServicePort(port: 80, nodePort: nodePort)],
                selector: ["name": name]))
    }

    static func endpoints(_ name: String, _ ips: [String]) -> Endpoints {
        Endpoints(
            metadata: ObjectMeta(name: name, namespace: "default"),
            subsets: [EndpointSubset(addresses: ips.map { EndpointAddress(ip: $0) }, ports: [EndpointPort(port: 80)])])
    }

    static func slice(_ name: String, service: String, ips: [String]) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: name, namespace: "default", labels: [EndpointSlice.serviceNameLabel: service]),
            addressType: "IPv4", endpoints: ips.map { EndpointSliceEndpoint(addresses: [$0]) },
            ports: [EndpointSlicePort(port: 80)])
    }

    static let services = (0..<50).map { service("web-\($0)", ip: "10.254.1.\($0 + 1)") }
    static let allEndpoints = (0..<50).map { endpoints("web-\($0)", ["10.244.1.\($0 + 1)"]) }

    static func listed() -> ProxyInputs {
        var inputs = ProxyInputs(source: .master, node: Fixtures.node)
        _ = inputs.update(services: services, delta: nil)
        inputs.update(endpoints: allEndpoints, delta: nil)
        return inputs
    }

    @Test("the first lists make every service a change; nothing is complete before both")
    func firstLists() {
        var inputs = ProxyInputs(source: .master, node: Fixtures.node)
        _ = inputs.update(services: Self.services, delta: nil)
        #expect(!inputs.isComplete)
        inputs.update(endpoints: Self.allEndpoints, delta: nil)
        #expect(inputs.isComplete)
        let changes = inputs.takeChanges()
        #expect(changes.count == 50)
        #expect(changes.values.allSatisfy { $0.old == nil && $0.new?.endpoints[""]?.count == 1 })
        #expect(inputs.takeChanges().isEmpty)
    }

    @Test("an Endpoints delta changes its one service, named with the value it had and the one it has")
    func endpointsDelta() throws {
        var inputs = Self.listed()
        _ = inputs.takeChanges()
        var all = Self.allEndpoints
        all[7] = Self.endpoints("web-7", ["10.244.1.8", "10.244.9.9"])
        inputs.update(endpoints: all, delta: ObjectDelta(updated: [all[7]]))
        let changes = inputs.takeChanges()
        let id = ServiceID(namespace: "default", name: "web-7")
        #expect(Array(changes.keys) == [id])
        #expect(changes[id]?.old?.endpoints[""]?.map(\.ip.description) == ["10.244.1.8"])
        #expect(changes[id]?.new?.endpoints[""]?.map(\.ip.description) == ["10.244.1.8", "10.244.9.9"])
    }

    @Test("a delta trusts what it names: the services it leaves out are not looked at")
    func deltaIsTheUnitOfWork() {
        var inputs = Self.listed()
        _ = inputs.takeChanges()
        var all = Self.allEndpoints
        all[3] = Self.endpoints("web-3", [])
        all[4] = Self.endpoints("web-4", [])
        inputs.update(endpoints: all, delta: ObjectDelta(updated: [all[4]]))
        #expect(inputs.takeChanges().keys.map(\.name) == ["web-4"])
        // A list (no delta) compares everything and finds the other one.
        inputs.update(endpoints: all, delta: nil)
        #expect(inputs.takeChanges().keys.map(\.name) == ["web-3"])
    }

    @Test("a service deleted and one added by delta; a change undone before it was taken is no change")
    func servicesDelta() {
        var inputs = Self.listed()
        _ = inputs.takeChanges()
        let added = Self.service("api", ip: "10.254.2.1")
        var all = Array(Self.services.dropFirst()) + [added]
        _ = inputs.update(services: all, delta: ObjectDelta(updated: [added], deleted: [Self.services[0]]))
        var changes = inputs.takeChanges()
        #expect(Set(changes.keys.map(\.name)) == ["api", "web-0"])
        #expect(changes[ServiceID(namespace: "default", name: "web-0")]?.new == nil)
        #expect(changes[ServiceID(namespace: "default", name: "api")]?.old == nil)
        all[0] = Self.service("web-1", ip: "10.254.3.3")
        _ = inputs.update(services: all, delta: ObjectDelta(updated: [all[0]]))
        _ = inputs.update(services: all, delta: ObjectDelta(updated: [Self.services[1]]))
        changes = inputs.takeChanges()
        #expect(changes.isEmpty)
    }

    @Test("a service's problems are returned once, when they appear")
    func problemsOnce() {
        var inputs = Self.listed()
        let bad = Self.service("web-1", ip: "10.254.1.2", nodePort: 80)
        let first = inputs.update(services: Self.services, delta: ObjectDelta(updated: [bad]))
        #expect(first.count == 1 && first[0].contains("service default/web-1: spec.ports[0].nodePort 80"))
        #expect(inputs.update(services: Self.services, delta: ObjectDelta(updated: [bad])).isEmpty)
        #expect(inputs.proxied[ServiceID(namespace: "default", name: "web-1")]?.ports[0].nodePort == nil, "not served")
    }

    @Test("EndpointSlices become the source: every service is computed again, then a slice changes its service alone")
    func slicesTakeOver() {
        var inputs = Self.listed()
        _ = inputs.takeChanges()
        let slices = (0..<50).map { Self.slice("web-\($0)-abc", service: "web-\($0)", ips: ["10.244.1.\($0 + 1)"]) }
            + [Self.slice("web-9-def", service: "web-9", ips: ["10.244.5.5"])]
        inputs.update(endpointSlices: slices, delta: nil)
        #expect(inputs.takeChanges().keys.map(\.name) == ["web-9"], "the rest give the same endpoints as before")
        let moved = Self.slice("web-9-def", service: "web-10", ips: ["10.244.5.5"])
        inputs.update(endpointSlices: slices, delta: ObjectDelta(updated: [moved]))
        let changes = inputs.takeChanges()
        #expect(Set(changes.keys.map(\.name)) == ["web-9", "web-10"], "a slice relabelled leaves one service for another")
        inputs.update(endpointSlices: slices, delta: ObjectDelta(deleted: [moved]))
        #expect(inputs.takeChanges().keys.map(\.name) == ["web-10"])
        // v1 Endpoints no longer count.
        inputs.update(endpoints: [], delta: nil)
        #expect(inputs.takeChanges().isEmpty)
    }

    @Test("without a master, this node's pods give the endpoints and a pod change recomputes the services")
    func localPods() {
        var inputs = ProxyInputs(source: .localPods, node: Fixtures.node)
        _ = inputs.update(services: [Self.service("frontend", ip: "10.254.0.30")], delta: nil)
        #expect(!inputs.isComplete)
        let first = inputs.update(localPods: [])
        #expect(first && inputs.isComplete)
        #expect(inputs.takeChanges().values.first?.new?.endpoints.isEmpty == true)
        let pod = ServiceProxyControllerTests.readyFrontendPod(ip: "10.244.1.7")
        let changed = inputs.update(localPods: [pod])
        let again = inputs.update(localPods: [pod])
        #expect(changed && !again, "the same pods again: nothing to do")
        #expect(inputs.takeChanges().values.first?.new?.endpoints[""]?.map(\.ip.description) == ["10.244.1.7"])
    }
}
