import Foundation
import KubeAPI

extension Controllers {
    /// Endpoints per slice, as kube-controller-manager's EndpointSlice controller caps them
    /// (`--max-endpoints-per-slice`, 100 by default).
    static let maximumEndpointsPerSlice = 100

    /// kube-controller-manager's EndpointSlice controller (staging/src/k8s.io/endpointslice
    /// reconciler.go), for every service with a selector: slices named `<service>-<5 chars>`
    /// (generateName), labelled `kubernetes.io/service-name` and
    /// `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io` (plus the
    /// service's own labels), owned by the service, `addressType: IPv4`; one endpoint per pod
    /// with an IPv4 address whose conditions are `ready` = pod Ready and not terminating,
    /// `serving` = pod Ready, `terminating` = deletionTimestamp set (terminating pods stay in
    /// slices, unlike Endpoints); endpoints grouped by their resolved ports, at most 100 a
    /// slice; a service without endpoints keeps one empty slice. Slices are updated in place
    /// when their content changes, and removed with their service (the garbage collector's
    /// work in a real cluster).
    ///
    /// Where it differs: no `zone` (the double's nodes have no topology labels), no hints, and
    /// slices are filled in a stable order (by IP) instead of the controller's minimal-churn
    /// packing.
    func maintainEndpointSlices(_ state: inout StoreState, pods: TypedPods) {
        var wantedServices: Set<String> = []
        for service in state.list(.services) {
            guard let selectorMap = service[path: ["spec", "selector"]]?.stringMap, !selectorMap.isEmpty,
                let name = service.name, let typed = try? service.decode(KubeAPI.Service.self)
            else { continue }
            let namespace = service.namespace ?? "default"
            wantedServices.insert("\(namespace)/\(name)")
            let desired = Controllers.desiredSlices(for: typed.withDefaults(), pods: pods[namespace])
            let existing = state.list(.endpointslices, namespace: namespace).filter {
                $0.labels[Controllers.serviceNameLabel] == name && $0.labels[Controllers.managedByLabel] == Controllers.sliceManager
            }
            apply(desired, over: existing, service: service, in: &state)
        }
        // Orphans: slices of services that are gone.
        for slice in state.list(.endpointslices) where slice.labels[Controllers.managedByLabel] == Controllers.sliceManager {
            let service = "\(slice.namespace ?? "default")/\(slice.labels[Controllers.serviceNameLabel] ?? "")"
            guard !wantedServices.contains(service) else { continue }
            _ = try? registry.delete(
                .endpointslices, namespace: slice.namespace ?? "default", name: slice.name ?? "", options: DeleteOptions(),
                in: &state)
        }
    }

    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let sliceManager = "endpointslice-controller.k8s.io"

    /// The content (`ports`, `endpoints`) of each slice a service should have: the pods its
    /// selector matches, through KubeAPI's `EndpointsController` rules (`shouldBeEndpoint` with
    /// terminating pods kept, target ports resolved per pod).
    static func desiredSlices(for service: KubeAPI.Service, pods: [Pod]) -> [(ports: JSONValue, endpoints: JSONValue)] {
        let servicePorts = service.spec.ports ?? []
        var groups: [JSONValue: [JSONValue]] = [:]
        for pod in pods where EndpointsController.selects(service, pod) {
            guard let endpoint = sliceEndpoint(pod, service: service) else { continue }
            let ports: [JSONValue] = servicePorts.compactMap { servicePort in
                guard let port = EndpointsController.port(for: servicePort, on: pod) else { return nil }
                // Slice ports always carry the name, "" for an unnamed service port.
                return ["name": .string(port.name ?? ""), "port": .int(Int64(port.port)), "protocol": .string(port.protocol ?? "TCP")]
            }
            if ports.isEmpty, !servicePorts.isEmpty { continue }
            groups[.array(ports), default: []].append(endpoint)
        }
        if groups.isEmpty { return [(.array([]), .array([]))] }
        let byAddress: (JSONValue, JSONValue) -> Bool = {
            ($0["addresses"]?.arrayValue?.first?.stringValue ?? "") < ($1["addresses"]?.arrayValue?.first?.stringValue ?? "")
        }
        var result: [(ports: JSONValue, endpoints: JSONValue)] = []
        for ports in groups.keys.sorted(by: { $0.description < $1.description }) {
            let endpoints = groups[ports]!.sorted(by: byAddress)
            for start in stride(from: 0, to: endpoints.count, by: maximumEndpointsPerSlice) {
                let chunk = endpoints[start..<min(start + maximumEndpointsPerSlice, endpoints.count)]
                result.append((ports, .array(Array(chunk))))
            }
        }
        return result
    }

    /// A pod's endpoint in a slice, or nil when it has no IPv4 address or has finished for good
    /// (`ShouldPodBeInEndpoints` with terminating pods included).
    static func sliceEndpoint(_ pod: Pod, service: KubeAPI.Service) -> JSONValue? {
        guard EndpointsController.shouldBeEndpoint(pod, includeTerminating: true), let ip = EndpointsController.ip(of: pod),
            !ip.contains(":")
        else { return nil }
        let terminating = pod.metadata.deletionTimestamp != nil
        let podReady = EndpointsController.isReady(pod)
        var endpoint: JSONValue = [
            "addresses": [.string(ip)],
            "conditions": ["ready": .bool(podReady && !terminating), "serving": .bool(podReady), "terminating": .bool(terminating)],
            "targetRef": [
                "kind": "Pod", "namespace": .string(pod.metadata.namespace ?? "default"), "name": .string(pod.metadata.name ?? ""),
                "uid": .string(pod.metadata.uid ?? ""),
            ],
        ]
        if let node = pod.spec.nodeName, !node.isEmpty { endpoint["nodeName"] = .string(node) }
        if let hostname = EndpointsController.hostname(of: pod, service: service) { endpoint["hostname"] = .string(hostname) }
        return endpoint
    }

    /// Writes the desired slices over the existing ones: a slice with the same ports is reused
    /// (updated only when it differs), missing ones are created, surplus ones deleted.
    private func apply(
        _ desired: [(ports: JSONValue, endpoints: JSONValue)], over existing: [JSONValue], service: JSONValue,
        in state: inout StoreState
    ) {
        let name = service.name ?? ""
        let namespace = service.namespace ?? "default"
        var labels = service[path: ["metadata", "labels"]]?.objectValue ?? [:]
        labels[Controllers.serviceNameLabel] = .string(name)
        labels[Controllers.managedByLabel] = .string(Controllers.sliceManager)
        var unused = existing.sorted { ($0.name ?? "") < ($1.name ?? "") }
        for wanted in desired {
            let reuse = unused.firstIndex { ($0["ports"] ?? .array([])) == wanted.ports } ?? unused.indices.first
            var slice: JSONValue
            if let reuse {
                slice = unused.remove(at: reuse)
            } else {
                slice = [
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": [
                        "generateName": .string("\(name)-"), "namespace": .string(namespace),
                        "ownerReferences": [[
                            "apiVersion": "v1", "kind": "Service", "name": .string(name), "uid": .string(service.uid ?? ""),
                            "controller": true, "blockOwnerDeletion": true,
                        ]],
                    ],
                ]
            }
            let before = slice
            slice["addressType"] = "IPv4"
            slice["ports"] = wanted.ports
            slice["endpoints"] = wanted.endpoints
            slice[path: ["metadata", "labels"]] = .object(labels)
            if slice.uid == nil {
                _ = try? registry.create(.endpointslices, namespace: namespace, body: slice, in: &state)
            } else if slice != before {
                _ = try? registry.update(
                    .endpointslices, namespace: namespace, name: slice.name ?? "", body: slice, status: false, in: &state)
            }
        }
        for surplus in unused {
            _ = try? registry.delete(
                .endpointslices, namespace: namespace, name: surplus.name ?? "", options: DeleteOptions(), in: &state)
        }
    }
}
