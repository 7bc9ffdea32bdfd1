import Foundation
import KubeAPI

/// Per-resource create and update strategies: defaulting through KubeAPI's typed defaults
/// (laid over the JSON so unmodelled fields survive), validation, pod status on creation and
/// service address allocation.
extension Registry {
    func prepareForCreate(_ resource: Resource, _ object: JSONValue, in state: StoreState) throws -> JSONValue {
        switch resource {
        case .pods:
            var pod = try defaultedPod(try admitServiceAccount(object, in: state))
            pod["status"] = ["phase": "Pending", "qosClass": .string(Registry.qosClass(of: pod))]
            return pod
        case .replicationcontrollers:
            var controller = try defaulted(object, as: ReplicationController.self) { $0.withDefaults() }
            try Registry.validateController(controller)
            controller["status"] = ["replicas": 0]
            return controller
        case .services:
            var service = try defaulted(object, as: Service.self) { $0.withDefaults() }
            try allocateAddresses(&service, old: nil, in: state)
            service["status"] = ["loadBalancer": .object([:])]
            return service
        case .endpoints:
            return try defaulted(object, as: Endpoints.self) { $0.withDefaults() }
        case .endpointslices:
            return try Registry.validatedEndpointSlice(object)
        case .nodes, .events, .leases:
            // A node keeps the status it registers with (capacity, addresses, nodeInfo).
            return object
        case .secrets, .configmaps, .serviceaccounts:
            return try Registry.prepareConfigObject(resource, object)
        }
    }

    func prepareForUpdate(_ resource: Resource, _ object: JSONValue, old: JSONValue, in state: StoreState) throws -> JSONValue {
        switch resource {
        case .pods:
            let pod = try defaultedPod(object)
            if Registry.specIgnoringMutableFields(pod) != Registry.specIgnoringMutableFields(old) {
                throw APIStatusError.invalid(
                    .pods, pod.name ?? "",
                    [
                        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`, "
                            + "`spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` "
                            + "(only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` "
                            + "(allow it to be set to 1 if it was previously negative)"
                    ])
            }
            return pod
        case .replicationcontrollers:
            let controller = try defaulted(object, as: ReplicationController.self) { $0.withDefaults() }
            try Registry.validateController(controller)
            return controller
        case .services:
            var service = try defaulted(object, as: Service.self) { $0.withDefaults() }
            try allocateAddresses(&service, old: old, in: state)
            return service
        case .endpoints:
            return try defaulted(object, as: Endpoints.self) { $0.withDefaults() }
        case .endpointslices:
            return try Registry.validatedEndpointSlice(object)
        case .nodes, .events, .leases:
            return object
        case .secrets, .configmaps, .serviceaccounts:
            return try Registry.prepareConfigObject(resource, object)
        }
    }

    /// The pod with the API server's defaults (KubeAPI's `withDefaults()` plus the fields it
    /// does not model: scheduler name, security context, service links, termination message
    /// policy), validated.
    private func defaultedPod(_ object: JSONValue) throws -> JSONValue {
        let typed: Pod
        do {
            typed = try object.decode(Pod.self)
        } catch {
            throw APIStatusError.badRequest("Pod in version \"v1\" cannot be handled as a Pod: \(error)")
        }
        let defaulted = typed.withDefaults()
        let problems = defaulted.validationErrors()
        if !problems.isEmpty {
            throw APIStatusError.invalid(.pods, object.name ?? "", problems.map(\.description))
        }
        var pod = object.overlaid(with: try JSONValue(encoding: defaulted))
        if (pod[path: ["spec", "schedulerName"]]?.stringValue ?? "").isEmpty {
            pod[path: ["spec", "schedulerName"]] = "default-scheduler"
        }
        if pod[path: ["spec", "securityContext"]] == nil { pod[path: ["spec", "securityContext"]] = .object([:]) }
        if pod[path: ["spec", "enableServiceLinks"]] == nil { pod[path: ["spec", "enableServiceLinks"]] = true }
        for list in ["containers", "initContainers"] {
            guard let containers = pod[path: ["spec", list]]?.arrayValue else { continue }
            pod[path: ["spec", list]] = .array(containers.map { container in
                var container = container
                if container["terminationMessagePolicy"] == nil { container["terminationMessagePolicy"] = "File" }
                return container
            })
        }
        return pod
    }

    private func defaulted<T: Codable>(_ object: JSONValue, as type: T.Type, _ defaults: (T) -> T) throws -> JSONValue {
        let typed: T
        do {
            typed = try object.decode(T.self)
        } catch {
            let kind = object["kind"]?.stringValue ?? "\(T.self)"
            throw APIStatusError.badRequest("\(kind) in version \"v1\" cannot be handled as a \(kind): \(error)")
        }
        return object.overlaid(with: try JSONValue(encoding: defaults(typed)))
    }

    /// The spec with the fields a pod update may change blanked out.
    private static func specIgnoringMutableFields(_ pod: JSONValue) -> JSONValue? {
        guard var spec = pod["spec"] else { return nil }
        for list in ["containers", "initContainers"] {
            if let containers = spec[list]?.arrayValue {
                spec[list] = .array(containers.map { var container = $0; container["image"] = nil; return container })
            }
        }
        spec["activeDeadlineSeconds"] = nil
        spec["tolerations"] = nil
        spec["terminationGracePeriodSeconds"] = nil
        return spec
    }

    /// `GetPodQOS`: BestEffort without any cpu/memory request or limit, Guaranteed when every
    /// container's cpu and memory requests equal its limits, Burstable otherwise.
    static func qosClass(of pod: JSONValue) -> String {
        let containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? [])
            + (pod[path: ["spec", "initContainers"]]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
            for resource in ["cpu", "memory"] {
                if requests[resource] != nil || limits[resource] != nil { anySet = true }
                guard let limit = limits[resource], requests[resource] ?? limit == limit else {
                    guaranteed = false
                    continue
                }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    private static func validateController(_ controller: JSONValue) throws {
        let name = controller.name ?? ""
        if let replicas = controller[path: ["spec", "replicas"]]?.intValue, replicas < 0 {
            throw APIStatusError.invalid(
                .replicationcontrollers, name,
                ["spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0"])
        }
        let selector = controller[path: ["spec", "selector"]]?.stringMap ?? [:]
        if selector.isEmpty {
            throw APIStatusError.invalid(.replicationcontrollers, name, ["spec.selector: Required value"])
        }
        let labels = controller[path: ["spec", "template", "metadata", "labels"]]?.stringMap ?? [:]
        if !selector.allSatisfy({ labels[$0.key] == $0.value }) {
            throw APIStatusError.invalid(
                .replicationcontrollers, name,
                ["spec.template.metadata.labels: Invalid value: \(JSONValue(stringMap: labels).text): "
                    + "`selector` does not match template `labels`"])
        }
    }

    /// The service IP and node port allocators: a cluster IP from 10.254.0.0/16 unless "None"
    /// or given, node ports from 30000-32767 for NodePort and LoadBalancer services. On update,
    /// values left out keep what was allocated.
    private func allocateAddresses(_ service: inout JSONValue, old: JSONValue?, in state: StoreState) throws {
        let name = service.name ?? ""
        let key = ObjectKey(namespace: service.namespace ?? "", name: name)
        let others = state.list(.services).filter {
            ObjectKey(namespace: $0.namespace ?? "", name: $0.name ?? "") != key
        }
        let usedIPs = Set(others.compactMap { $0[path: ["spec", "clusterIP"]]?.stringValue })
        let usedPorts = Set(others.flatMap { other in
            (other[path: ["spec", "ports"]]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue }
        })

        var clusterIP = service[path: ["spec", "clusterIP"]]?.stringValue ?? ""
        if clusterIP.isEmpty, let previous = old?[path: ["spec", "clusterIP"]]?.stringValue {
            clusterIP = previous
        }
        if let previous = old?[path: ["spec", "clusterIP"]]?.stringValue, clusterIP != previous {
            throw APIStatusError.invalid(
                .services, name, ["spec.clusterIP: Invalid value: \"\(clusterIP)\": field is immutable"])
        }
        if service[path: ["spec", "type"]]?.stringValue == "ExternalName" {
            clusterIP = ""
        } else if clusterIP.isEmpty {
            guard let free = (1..<65_535).lazy.map({ "10.254.\($0 / 256).\($0 % 256)" }).first(where: {
                !usedIPs.contains($0) && !$0.hasSuffix(".0") && !$0.hasSuffix(".255")
            }) else {
                throw APIStatusError.internalError("failed to allocate a serviceIP: range is full")
            }
            clusterIP = free
        } else if clusterIP != "None", old == nil, usedIPs.contains(clusterIP) {
            throw APIStatusError.invalid(
                .services, name,
                ["spec.clusterIPs: Invalid value: []string{\"\(clusterIP)\"}: failed to allocate IP \(clusterIP): "
                    + "provided IP is already allocated"])
        }
        if !clusterIP.isEmpty {
            service[path: ["spec", "clusterIP"]] = .string(clusterIP)
            service[path: ["spec", "clusterIPs"]] = [.string(clusterIP)]
        }

        let type = service[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        guard var ports = service[path: ["spec", "ports"]]?.arrayValue else { return }
        let oldPorts = old?[path: ["spec", "ports"]]?.arrayValue ?? []
        var taken = usedPorts
        for index in ports.indices {
            if type != "NodePort", type != "LoadBalancer" {
                ports[index]["nodePort"] = nil
                continue
            }
            let requested = ports[index]["nodePort"]?.intValue ?? 0
            if requested != 0 {
                if taken.contains(requested) {
                    throw APIStatusError.invalid(
                        .services, name,
                        ["spec.ports[\(index)].nodePort: Invalid value: \(requested): provided port is already allocated"])
                }
                if !(30000...32767).contains(requested) {
                    throw APIStatusError.invalid(
                        .services, name,
                        ["spec.ports[\(index)].nodePort: Invalid value: \(requested): provided port is not in the valid "
                            + "range. The range of valid ports is 30000-32767"])
                }
                taken.insert(requested)
                continue
            }
            let port = ports[index]["port"]
            if let previous = oldPorts.first(where: { $0["port"] == port })?["nodePort"]?.intValue {
                ports[index]["nodePort"] = .int(previous)
                taken.insert(previous)
                continue
            }
            guard let free = (Int64(30000)...32767).first(where: { !taken.contains($0) }) else {
                throw APIStatusError.internalError("failed to allocate a nodePort: range is full")
            }
            ports[index]["nodePort"] = .int(free)
            taken.insert(free)
        }
        service[path: ["spec", "ports"]] = .array(ports)
    }
}
