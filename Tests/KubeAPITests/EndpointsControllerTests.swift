import KubeAPI
import Testing

@Suite("The endpoints controller the agent and the master double share")
struct EndpointsControllerTests {
    private let service = Service(
        metadata: ObjectMeta(name: "web", namespace: "shop", labels: ["tier": "front"]),
        spec: ServiceSpec(
            clusterIP: "10.254.0.8", ports: [ServicePort(name: "http", port: 80, targetPort: "web")], selector: ["app": "web"]))

    private func pod(
        _ name: String, ip: String?, ready: Bool = true, port: Int32 = 8080, namespace: String = "shop",
        labels: [String: String] = ["app": "web"], configure: (inout Pod) -> Void = { _ in }
    ) -> Pod {
        var pod = Pod(
            metadata: ObjectMeta(name: name, namespace: namespace, uid: "uid-\(name)", labels: labels),
            spec: PodSpec(containers: [Container(name: "app", ports: [ContainerPort(name: "web", containerPort: port)])], nodeName: "node-a"),
            status: PodStatus(phase: "Running", conditions: [PodCondition(type: "Ready", status: ready ? "True" : "False")], podIP: ip))
        configure(&pod)
        return pod
    }

    @Test("ready pods are addresses, the others notReadyAddresses, with their node and a reference to the pod")
    func readyAndNotReady() throws {
        let endpoints = EndpointsController.endpoints(
            for: service, pods: [pod("b", ip: "10.244.1.3"), pod("a", ip: "10.244.1.2"), pod("slow", ip: "10.244.1.4", ready: false)])
        let subset = try #require(endpoints.subsets?.only)
        #expect(subset.addresses?.map(\.ip) == ["10.244.1.2", "10.244.1.3"], "sorted by IP")
        #expect(subset.notReadyAddresses?.map(\.ip) == ["10.244.1.4"])
        #expect(subset.ports == [EndpointPort(name: "http", port: 8080, protocol: "TCP")])
        #expect(subset.addresses?.first?.nodeName == "node-a")
        #expect(subset.addresses?.first?.targetRef == ObjectReference(kind: "Pod", namespace: "shop", name: "a", uid: "uid-a"))
        #expect(endpoints.metadata.name == "web" && endpoints.metadata.namespace == "shop")
        #expect(endpoints.metadata.labels == ["tier": "front"], "the service's labels, as the controller copies them")
    }

    @Test("pods elsewhere, unmatched, without an IP, being deleted or finished for good are no endpoints")
    func leftOut() {
        let pods = [
            pod("other-namespace", ip: "10.244.1.5", namespace: "default"),
            pod("other-app", ip: "10.244.1.6", labels: ["app": "db"]),
            pod("no-ip", ip: nil),
            pod("deleted", ip: "10.244.1.7") { $0.metadata.deletionTimestamp = "2026-12-04T10:00:00Z" },
            pod("done", ip: "10.244.1.8") {
                $0.spec.restartPolicy = .never
                $0.status?.phase = "Succeeded"
            },
            pod("failed-once", ip: "10.244.1.9", ready: false) {
                $0.spec.restartPolicy = .onFailure
                $0.status?.phase = "Failed"
            },
        ]
        let subsets = EndpointsController.endpoints(for: service, pods: pods).subsets ?? []
        let addresses: [EndpointAddress] = subsets.flatMap { ($0.addresses ?? []) + ($0.notReadyAddresses ?? []) }
        #expect(addresses.map(\.ip) == ["10.244.1.9"], "OnFailure and Failed is restarted, so it stays (not ready)")
    }

    @Test("a named target port is resolved per pod: pods with the same port share a subset, a pod without it is left out")
    func namedPortsGroup() throws {
        let pods = [
            pod("new", ip: "10.244.1.3", port: 9090), pod("old-1", ip: "10.244.1.2"), pod("old-2", ip: "10.244.1.4"),
            pod("portless", ip: "10.244.1.5") { $0.spec.containers[0].ports = [] },
        ]
        let subsets = try #require(EndpointsController.endpoints(for: service, pods: pods).subsets)
        #expect(subsets.map { $0.ports?.first?.port } == [8080, 9090])
        #expect(subsets.map { $0.addresses?.map(\.ip) ?? [] } == [["10.244.1.2", "10.244.1.4"], ["10.244.1.3"]])
    }

    @Test("a service without a selector gets no subsets, and a pod's hostname counts only under the service as subdomain")
    func selectorAndHostname() throws {
        var manual = service
        manual.spec.selector = nil
        #expect(EndpointsController.endpoints(for: manual, pods: [pod("a", ip: "10.244.1.2")]).subsets == nil)
        let named = pod("a", ip: "10.244.1.2") {
            $0.spec.hostname = "a-host"
            $0.spec.subdomain = "web"
        }
        let elsewhere = pod("b", ip: "10.244.1.3") {
            $0.spec.hostname = "b-host"
            $0.spec.subdomain = "other"
        }
        let addresses = try #require(EndpointsController.endpoints(for: service, pods: [named, elsewhere]).subsets?.only?.addresses)
        #expect(addresses.map(\.hostname) == ["a-host", nil])
    }
}

extension Array {
    fileprivate var only: Element? { count == 1 ? first : nil }
}

@Suite("A replication controller's new pod, as the agent and the master double build it")
struct ReplicationControllerNewPodTests {
    @Test("the template's labels, annotations and spec, generateName, the namespace and a controller reference")
    func newPod() throws {
        let controller = ReplicationController(
            metadata: ObjectMeta(name: "frontend", uid: "rc-1"),
            spec: ReplicationControllerSpec(
                replicas: 3, selector: ["name": "frontend"],
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["name": "frontend"], annotations: ["note": "x"]),
                    spec: PodSpec(containers: [Container(name: "php", image: "frontend:v1")]))))
        let pod = try #require(controller.newPod())
        #expect(pod.metadata.generateName == "frontend-")
        #expect(pod.metadata.name == nil, "the master generates it")
        #expect(pod.metadata.namespace == "default")
        #expect(pod.metadata.labels == ["name": "frontend"] && pod.metadata.annotations == ["note": "x"])
        #expect(pod.spec.containers.map(\.image) == ["frontend:v1"])
        #expect(
            pod.metadata.ownerReferences == [
                OwnerReference(
                    apiVersion: "v1", kind: "ReplicationController", name: "frontend", uid: "rc-1", controller: true,
                    blockOwnerDeletion: true)
            ])
    }

    @Test("without a template there is no pod")
    func noTemplate() {
        #expect(ReplicationController(metadata: ObjectMeta(name: "empty")).newPod() == nil)
    }
}
